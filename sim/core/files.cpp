#include "core/files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.hpp"

namespace orgsim {

namespace fs = std::filesystem;

namespace {

const char* kind_text(fs::file_type t) {
  switch (t) {
    case fs::file_type::not_found: return "no such file";
    case fs::file_type::directory: return "a directory";
    case fs::file_type::fifo: return "a FIFO (named pipe)";
    case fs::file_type::character: return "a character device";
    case fs::file_type::block: return "a block device";
    case fs::file_type::socket: return "a socket";
    case fs::file_type::symlink: return "a broken symbolic link";
    default: return "not a regular file";
  }
}

}  // namespace

void require_regular_file(const std::string& path, const std::string& what,
                          const std::string& shown) {
  const std::string name = shown.empty() ? path : shown;
  const std::string expected = "a readable " + what + " (a regular file)";
  if (path.empty()) throw InputError(name, "", expected, "an empty path");
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);  // follows symbolic links
  if (ec && st.type() != fs::file_type::not_found) {
    throw InputError(name, "", expected, "a path that cannot be examined (" + ec.message() + ")");
  }
  if (st.type() == fs::file_type::not_found) {
    // A dangling link says so: the name exists, its target does not.
    const bool link = fs::is_symlink(fs::symlink_status(path, ec));
    throw InputError(name, "", expected, link ? "a broken symbolic link" : "no such file");
  }
  if (st.type() != fs::file_type::regular) throw InputError(name, "", expected, kind_text(st.type()));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(name, "", expected, "a file that cannot be opened for reading");
}

std::string read_input_file(const std::string& path, const std::string& what,
                            const std::string& shown) {
  require_regular_file(path, what, shown);
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    throw InputError(shown.empty() ? path : shown, "", "a readable " + what, "a read error");
  return ss.str();
}

}  // namespace orgsim
