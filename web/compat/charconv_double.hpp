#pragma once
// The browser build only (tools/build_web.sh passes -include): emscripten 3.1.6's libc++ has no
// floating-point std::to_chars / std::from_chars. These give the same text as the standard ones
// (shortest round-trip digits; fixed or scientific, whichever is shorter, fixed on a tie), so
// the page's error messages are the command line's, character for character.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

namespace std {

inline to_chars_result to_chars(char* first, char* last, double x) {
  std::string out;
  if (std::isnan(x)) {
    out = std::signbit(x) ? "-nan" : "nan";
  } else if (std::isinf(x)) {
    out = x < 0 ? "-inf" : "inf";
  } else if (x == 0) {
    out = std::signbit(x) ? "-0" : "0";
  } else {
    char buf[64];
    int p = 0;
    for (; p < 17; ++p) {  // shortest precision that reads back
      std::snprintf(buf, sizeof buf, "%.*e", p, x);
      if (std::strtod(buf, nullptr) == x) break;
    }
    std::snprintf(buf, sizeof buf, "%.*e", p, x);
    // buf: [-]d[.ddd]e[+-]XX
    std::string s(buf);
    const bool neg = s[0] == '-';
    if (neg) s.erase(0, 1);
    const auto e = s.find('e');
    std::string digits = s.substr(0, e);
    digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
    const int exp10 = std::atoi(s.c_str() + e + 1);
    // scientific: d[.ddd]e±XX (at least two exponent digits)
    std::string sci = digits.substr(0, 1);
    if (digits.size() > 1) sci += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    sci += eb;
    // fixed
    std::string fix;
    const int nd = static_cast<int>(digits.size());
    if (exp10 >= 0) {
      if (nd <= exp10 + 1) fix = digits + std::string(static_cast<std::size_t>(exp10 + 1 - nd), '0');
      else fix = digits.substr(0, static_cast<std::size_t>(exp10 + 1)) + "." + digits.substr(static_cast<std::size_t>(exp10 + 1));
    } else {
      fix = "0." + std::string(static_cast<std::size_t>(-exp10 - 1), '0') + digits;
    }
    out = (fix.size() <= sci.size() ? fix : sci);
    if (neg) out = "-" + out;
  }
  if (static_cast<std::size_t>(last - first) < out.size()) return {last, std::errc::value_too_large};
  std::memcpy(first, out.data(), out.size());
  return {first + out.size(), std::errc()};
}

inline from_chars_result from_chars(const char* first, const char* last, double& value) {
  if (first == last || *first == '+' || std::isspace(static_cast<unsigned char>(*first)))
    return {first, std::errc::invalid_argument};
  std::string s(first, last);
  if (s.find_first_of("xX") != std::string::npos) return {first, std::errc::invalid_argument};
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return {first, std::errc::invalid_argument};
  const auto used = end - s.c_str();
  if (std::isinf(v) && s.find_first_of("iI") == std::string::npos)
    return {first + used, std::errc::result_out_of_range};
  value = v;
  return {first + used, std::errc()};
}

}  // namespace std
