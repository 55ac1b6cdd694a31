#include "core/text.hpp"

#include <algorithm>
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
