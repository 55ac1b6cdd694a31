#pragma once
// Typed errors. Library code throws; only main() turns them into exit codes:
//   InputError  -> exit 2 (bad scenario, sweep, edge list or command line)
//   RunError    -> exit 1 (failure while running: I/O, numerical trouble)
#include <stdexcept>
#include <string>

namespace orgsim {

/// Invalid input: names the file, the JSON path (or line), what was expected and what was found.
class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::string where, std::string expected, std::string found,
             std::string hint = {});
  const std::string& file() const noexcept { return file_; }
  const std::string& where() const noexcept { return where_; }
  const std::string& expected() const noexcept { return expected_; }
  const std::string& found() const noexcept { return found_; }
  const std::string& hint() const noexcept { return hint_; }
  /// The same error attributed to `file` (for errors raised below the loader, e.g. by a network
  /// generator, that only know the JSON path).
  InputError with_file(const std::string& file) const {
    return InputError(file, where_, expected_, found_, hint_);
  }

 private:
  std::string file_, where_, expected_, found_, hint_;
};

/// A usage or plain input error with a free-form message (still exit code 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A sweep's parts directory already holds parts of this sweep and --resume was not given. Its
/// own type so that a face (Python's orgsim.sweep) can say it in its own words without reading
/// the message.
class PartsExistError : public UsageError {
 public:
  using UsageError::UsageError;
};

/// A part was written by a build of another git commit and --allow-commit-change was not given.
class CommitChangeError : public UsageError {
 public:
  using UsageError::UsageError;
};

/// A failure while running (I/O, resources): exit code 1.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace orgsim
