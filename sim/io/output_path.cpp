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
