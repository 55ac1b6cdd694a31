#include "core/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace orgsim {

std::string_view trim(std::string_view s) noexcept {
  const auto is_space = [](char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

void split_trimmed(std::string_view line, char sep, std::vector<std::string_view>& fields) {
  fields.clear();
  for (std::size_t pos = 0;;) {
    const std::size_t at = line.find(sep, pos);
    const std::size_t len = at == std::string_view::npos ? at : at - pos;
    fields.push_back(trim(line.substr(pos, len)));
    if (at == std::string_view::npos) break;
    pos = at + 1;
  }
}

namespace {

/// The length of the well-formed UTF-8 sequence that starts at `s[i]`, or 0 if none does there.
/// Lead bytes and the ranges of the second byte follow Table 3-7 of the Unicode Standard (no
/// overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf)) return 0;
  }
  return len;
}

}  // namespace

std::size_t first_invalid_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string escape_invalid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(s[i]));
      out += hex;
      ++i;
    } else {
      out.append(s, i, len);
      i += len;
    }
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string join_or(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " or " : ", ";
    out += items[i];
  }
  return out;
}

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 5) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string format_count(long double n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, n >= 0 && n < 1e15L ? "%.0Lf" : "%.3Lg", n);
  return buf;
}

std::string integer_text(double x) {
  if (x >= kLargestUint64) return "18446744073709551615";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", x);  // exact for every integral double
  return buf;
}

namespace {
/// x with `decimals` places, without a sign on a value that rounds to zero.
std::string fixed_text(double x, int decimals) {
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  std::string s = buf;
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}
/// The places after the point that show x's `digits`-th significant digit (0 to 12).
int places_for(double x, int digits) {
  if (!(std::fabs(x) > 0.0)) return 0;
  const int first = static_cast<int>(std::floor(std::log10(std::fabs(x))));
  return std::clamp(digits - 1 - first, 0, 12);
}
}  // namespace

std::string estimate_text(double mean, double half_width) {
  if (!std::isfinite(mean)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", mean);
    return buf;
  }
  if (!std::isfinite(half_width) || half_width < 0.0) {
    std::string s = fixed_text(mean, places_for(mean, 4));
    if (s.find('.') != std::string::npos) {
      s.erase(s.find_last_not_of('0') + 1);
      if (s.back() == '.') s.pop_back();
    }
    return s;
  }
  if (half_width == 0.0) return estimate_text(mean, -1.0) + " ± 0";
  const int places = places_for(half_width, 2);
  return fixed_text(mean, places) + " ± " + fixed_text(half_width, places);
}

std::string format_duration(double seconds) {
  char buf[64];
  if (seconds < 60.0) {
    std::snprintf(buf, sizeof buf, "%.3g s", seconds);
  } else if (seconds < 3600.0) {
    std::snprintf(buf, sizeof buf, "%.1f min", seconds / 60.0);
  } else if (seconds < 86400.0 * 2) {
    std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600.0);
  } else if (seconds < 86400.0 * 365.25 * 2) {
    std::snprintf(buf, sizeof buf, "%.1f days", seconds / 86400.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g years", seconds / (86400.0 * 365.25));
  }
  return buf;
}

}  // namespace orgsim
