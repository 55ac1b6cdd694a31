#include "core/errors.hpp"

namespace orgsim {

namespace {
std::string format_input_error(const std::string& file, const std::string& where,
                               const std::string& expected, const std::string& found,
                               const std::string& hint) {
  std::string msg = file.empty() ? std::string("<input>") : file;
  if (!where.empty()) msg += ": " + where;
  msg += ": expected " + expected + ", found " + found;
  if (!hint.empty()) msg += " (" + hint + ")";
  return msg;
}
}  // namespace

InputError::InputError(std::string file, std::string where, std::string expected,
                       std::string found, std::string hint)
    : std::runtime_error(format_input_error(file, where, expected, found, hint)),
      file_(std::move(file)),
      where_(std::move(where)),
      expected_(std::move(expected)),
      found_(std::move(found)),
      hint_(std::move(hint)) {}

}  // namespace orgsim
