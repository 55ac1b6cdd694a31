// default_output and check_replaceable (io/output_path.hpp).
#include "io/output_path.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/errors.hpp"
#include "io/results_file.hpp"

namespace orgsim {

std::string default_output(const std::string& name, const std::string& file) {
  const bool plain =
      !name.empty() && name.front() != '.' && name.size() <= 200 &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
      });
  if (!plain) {
    std::string shown;
    for (char c : name)
      shown += c == '\0' ? std::string("\\u0000") : std::string(1, c);
    throw InputError(file, "name",
                     "a plain file name stem for results/<name>.h5 (letters, digits, '-', '_', "
                     "'.', not starting with '.')",
                     "\"" + shown + "\"", "rename it, or give the output path with -o");
  }
  return "results/" + name + ".h5";
}

namespace {

/// What is at `st` in words, for "found ...".
std::string file_kind_text(const std::filesystem::file_status& st) {
  switch (st.type()) {
    case std::filesystem::file_type::regular: return "a file";
    case std::filesystem::file_type::symlink: return "a symbolic link";
    case std::filesystem::file_type::block: return "a block device";
    case std::filesystem::file_type::character: return "a character device";
    case std::filesystem::file_type::fifo: return "a named pipe";
    case std::filesystem::file_type::socket: return "a socket";
    default: return "something other than a folder";
  }
}

}  // namespace

void check_output_folder(const std::string& out) {
  namespace fs = std::filesystem;
  // The nearest existing path of the folder (a/b/c.h5: a/b, else a): a path under a file does
  // not exist (ENOTDIR), so the walk stops at the file that is in the way.
  for (fs::path p = fs::path(out).parent_path(); !p.empty(); p = p.parent_path()) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);  // follows a link to a folder
    if (fs::exists(st)) {
      if (!fs::is_directory(st))
        throw InputError(
            "-o", out, "a folder at " + p.string() + " (or nothing there yet) to hold the results",
            file_kind_text(st), "give another -o, or move that file away");
      return;
    }
    if (p == p.parent_path()) return;  // the root
  }
}

void make_output_folder(const std::string& out) {
  check_output_folder(out);
  const std::filesystem::path dir = std::filesystem::path(out).parent_path();
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw InputError("-o", out, "a folder " + dir.string() + " that can be created",
                     "cannot create it: " + ec.message(), "give another -o");
}

void check_replaceable(const std::string& out, bool force, const std::string& kind) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(out, ec))) return;
  if (std::filesystem::is_directory(out, ec))
    throw UsageError("the output " + out + " is a directory");
  if (force) return;
  const std::string there = results_file_kind(out);
  if (there.empty())
    throw UsageError("the output " + out +
                     " exists and is not an orgsim results file: not replacing it (give another "
                     "-o, or --force to replace it)");
  if (there != kind)
    throw UsageError("the output " + out + " holds a " + there + "'s results and this is a " +
                     kind + ": not replacing it (give another -o, or --force to replace it)");
}

}  // namespace orgsim
