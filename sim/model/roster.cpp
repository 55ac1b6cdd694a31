#include "model/roster.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <istream>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/text.hpp"
#include "model/network.hpp"

namespace orgsim {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string quoted(std::string_view s) {
  return s.empty() ? std::string("an empty field") : "'" + std::string(s) + "'";
}

/// One CSV source read line by line: BOM and CRLF handled, comments and blank lines skipped,
/// binary data and quoted fields refused. `next` returns false at the end.
class CsvLines {
 public:
  CsvLines(std::istream& in, std::string file) : in_(in), file_(std::move(file)) {}

  bool next(std::vector<std::string_view>& fields) {
    while (std::getline(in_, raw_)) {
      ++line_no_;
      std::string_view line(raw_);
      if (line_no_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      for (std::size_t i = 0; i < line.size(); ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
          char byte[8];
          std::snprintf(byte, sizeof byte, "0x%02x", c);
          throw InputError(file_, where(), "a text CSV file (UTF-8, no control characters)",
                           std::string(c == 0 ? "a NUL byte" : std::string("the byte ") + byte) +
                               " at column " + std::to_string(i + 1) + " (a binary file?)");
        }
      }
      line = trim(line);
      if (line.empty() || line.front() == '#') continue;
      if (line.find('"') != std::string_view::npos)
        throw InputError(file_, where(), "plain comma-separated fields (no quotes: names may not "
                                         "contain commas)",
                         "a double quote");
      split_trimmed(line, ',', fields);
      return true;
    }
    if (in_.bad()) throw InputError(file_, where(), "a readable CSV file", "a read error");
    return false;
  }
  std::string where() const { return "line " + std::to_string(line_no_); }
  std::int64_t line() const noexcept { return line_no_; }
  const std::string& file() const noexcept { return file_; }

 private:
  std::istream& in_;
  std::string file_;
  std::string raw_;
  std::int64_t line_no_ = 0;
};

std::int32_t intern(std::map<std::string, std::int32_t>& ids, std::vector<std::string>& names,
                    const std::string& s) {
  const auto [it, inserted] = ids.emplace(s, static_cast<std::int32_t>(names.size()));
  if (inserted) names.push_back(s);
  return it->second;
}

}  // namespace

Roster read_roster(std::istream& in, const std::string& file) {
  CsvLines csv(in, file);
  std::vector<std::string_view> fields;
  if (!csv.next(fields))
    throw InputError(file, "", "a header line name,department,shift,role[,leader] and one "
                               "person per line",
                     "an empty file (or only comments)");
  // The header: which column holds what.
  enum Col { kName, kDepartment, kShift, kRole, kLeader, kCols };
  const char* const col_names[kCols] = {"name", "department", "shift", "role", "leader"};
  int at[kCols] = {-1, -1, -1, -1, -1};
  const std::string header_where = csv.where();
  for (std::size_t f = 0; f < fields.size(); ++f) {
    const std::string h = lower(fields[f]);
    int c = -1;
    for (int k = 0; k < kCols; ++k)
      if (h == col_names[k]) c = k;
    if (c < 0)
      throw InputError(file, header_where,
                       "a header naming the columns name, department, shift, role and "
                       "optionally leader",
                       "the column " + quoted(fields[f]));
    if (at[c] >= 0)
      throw InputError(file, header_where, "each column once", "two columns '" +
                                                                   std::string(col_names[c]) + "'");
    at[c] = static_cast<int>(f);
  }
  for (int k = 0; k < kLeader; ++k)
    if (at[k] < 0)
      throw InputError(file, header_where,
                       "a header naming the columns name, department, shift, role and "
                       "optionally leader",
                       std::string("no column '") + col_names[k] + "'");
  const std::size_t n_cols = fields.size();

  Roster r;
  std::unordered_map<std::string, std::int64_t> first_line;
  std::map<std::string, std::int32_t> dept_ids, shift_ids;
  while (csv.next(fields)) {
    const std::string where = csv.where();
    if (fields.size() != n_cols)
      throw InputError(file, where,
                       std::to_string(n_cols) + " comma-separated fields (as in the header)",
                       std::to_string(fields.size()) + " field" + (fields.size() == 1 ? "" : "s"));
    const std::string name(fields[static_cast<std::size_t>(at[kName])]);
    if (name.empty()) throw InputError(file, where, "a name", "an empty name");
    const auto [it, inserted] = first_line.emplace(name, csv.line());
    if (!inserted)
      throw InputError(file, where, "each name once (add an initial to tell two people apart)",
                       "'" + name + "' again, first given on line " + std::to_string(it->second));
    const std::string dept(fields[static_cast<std::size_t>(at[kDepartment])]);
    if (dept.empty())
      throw InputError(file, where, "a department for " + name, "an empty department");
    const std::string shift(fields[static_cast<std::size_t>(at[kShift])]);
    if (shift.empty()) throw InputError(file, where, "a shift for " + name, "an empty shift");
    const std::string role = lower(fields[static_cast<std::size_t>(at[kRole])]);
    bool known_role = false;
    for (const char* ok : kRosterRoles) known_role = known_role || role == ok;
    if (!known_role)
      throw InputError(file, where, "a role: worker, lead or steward",
                       quoted(fields[static_cast<std::size_t>(at[kRole])]));
    std::uint8_t leader = 0;
    if (at[kLeader] >= 0) {
      const std::string v = lower(fields[static_cast<std::size_t>(at[kLeader])]);
      if (v == "yes" || v == "true" || v == "1" || v == "y") {
        leader = 1;
      } else if (!(v.empty() || v == "no" || v == "false" || v == "0" || v == "n")) {
        throw InputError(file, where, "leader: yes or no (or empty for no)",
                         quoted(fields[static_cast<std::size_t>(at[kLeader])]));
      }
    }
    r.names.push_back(name);
    r.departments.push_back(dept);
    r.shifts.push_back(shift);
    r.roles.push_back(role);
    r.leader.push_back(leader);
    r.department_id.push_back(intern(dept_ids, r.department_names, dept));
    r.shift_id.push_back(intern(shift_ids, r.shift_names, shift));
  }
  if (r.names.empty())
    throw InputError(file, "", "at least one person (a line after the header)",
                     "only a header line");
  // Department and shift names in first-appearance order (intern numbered them by map order
  // of insertion, which is the same).
  return r;
}

Roster read_roster_file(const std::string& path, const std::string& shown) {
  require_regular_file(path, "CSV roster (name,department,shift,role[,leader])", shown);
  std::ifstream in(path, std::ios::binary);
  return read_roster(in, shown);
}

void read_friendships(std::istream& in, const std::string& file, Roster& roster) {
  std::unordered_map<std::string, std::int32_t> id;
  for (std::int32_t i = 0; i < roster.size(); ++i) id.emplace(roster.names[i], i);
  CsvLines csv(in, file);
  std::vector<std::string_view> fields;
  std::map<std::pair<std::int32_t, std::int32_t>, std::int64_t> seen;
  bool first = true;
  const auto header_like = [](std::string_view s) {
    const std::string l = lower(s);
    return l.rfind("name", 0) == 0 || l.rfind("person", 0) == 0 || l.rfind("friend", 0) == 0;
  };
  roster.friendships.clear();
  while (csv.next(fields)) {
    const std::string where = csv.where();
    if (first) {
      first = false;
      if (fields.size() == 2 && !id.count(std::string(fields[0])) &&
          !id.count(std::string(fields[1])) && header_like(fields[0]) && header_like(fields[1]))
        continue;
    }
    if (fields.size() != 2)
      throw InputError(file, where, "2 comma-separated names (name_a,name_b)",
                       std::to_string(fields.size()) + " field" + (fields.size() == 1 ? "" : "s"));
    std::int32_t ab[2];
    for (int k = 0; k < 2; ++k) {
      const auto it = id.find(std::string(fields[static_cast<std::size_t>(k)]));
      if (it == id.end())
        throw InputError(file, where, "a name on the roster",
                         quoted(fields[static_cast<std::size_t>(k)]) + ", not on the roster");
      ab[k] = it->second;
    }
    if (ab[0] == ab[1])
      throw InputError(file, where, "a friendship between two different people",
                       "'" + roster.names[ab[0]] + "' twice");
    const auto key = std::minmax(ab[0], ab[1]);
    const auto [it, inserted] = seen.emplace(key, csv.line());
    if (!inserted)
      throw InputError(file, where, "each friendship once (in either order)",
                       "'" + roster.names[ab[0]] + "' and '" + roster.names[ab[1]] +
                           "' again, first given on line " + std::to_string(it->second));
    roster.friendships.emplace_back(key.first, key.second);
  }
}

void read_friendships_file(const std::string& path, const std::string& shown, Roster& roster) {
  require_regular_file(path, "CSV of friendships (name_a,name_b)", shown);
  std::ifstream in(path, std::ios::binary);
  read_friendships(in, shown, roster);
}

Network roster_network(const Roster& roster, const RosterTieChances& chances,
                       double friendship_trust, Rng& rng) {
  const std::int32_t n = roster.size();
  std::set<std::pair<std::int32_t, std::int32_t>> friends(roster.friendships.begin(),
                                                          roster.friendships.end());
  std::vector<std::pair<std::int32_t, std::int32_t>> ties;
  for (std::int32_t i = 0; i < n; ++i) {
    for (std::int32_t j = i + 1; j < n; ++j) {
      const bool same_dept = roster.department_id[i] == roster.department_id[j];
      const bool same_shift = roster.shift_id[i] == roster.shift_id[j];
      const double p = !same_dept ? chances.across
                                  : (same_shift ? chances.same_shift : chances.other_shift);
      const bool tied = rng.uniform() < p;  // one draw per pair, friends included
      if (tied || friends.count({i, j})) ties.emplace_back(i, j);
    }
  }
  Network net = csr_from_ties(n, ties);
  const auto t = static_cast<float>(friendship_trust);
  for (const auto& [u, v] : roster.friendships) {
    net.trust[static_cast<std::size_t>(net.find_entry(u, v))] = t;
    net.trust[static_cast<std::size_t>(net.find_entry(v, u))] = t;
  }
  return net;
}

}  // namespace orgsim
