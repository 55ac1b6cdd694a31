#include "engine/summary.hpp"

#include <cmath>
#include <cstdio>
#include <map>

#include "core/specfun.hpp"
#include "core/text.hpp"
#include "io/outputs.hpp"

namespace orgsim {

Estimate estimate(const std::vector<double>& values) {
  Estimate e;
  e.of = static_cast<std::int64_t>(values.size());
  double sum = 0, sumsq = 0;
  for (double v : values)
    if (std::isfinite(v)) {
      sum += v;
      ++e.n;
    }
  if (e.n == 0) {
    e.mean = std::nan("");
    e.half_width = std::nan("");
    return e;
  }
  e.mean = sum / static_cast<double>(e.n);
  for (double v : values)
    if (std::isfinite(v)) sumsq += (v - e.mean) * (v - e.mean);
  if (e.n < 2) {
    e.half_width = std::nan("");
    return e;
  }
  const double sd = std::sqrt(sumsq / static_cast<double>(e.n - 1));
  e.half_width = student_t_quantile(0.975, static_cast<double>(e.n - 1)) * sd /
                 std::sqrt(static_cast<double>(e.n));
  return e;
}

Summary summarize(const std::vector<RunRecord>& runs, const std::vector<std::string>& arm_names) {
  Summary s;
  std::vector<std::size_t> idx;
  for (std::size_t k = 0; k < per_run_outputs().size(); ++k)
    if (per_run_outputs()[k].summarize) {
      idx.push_back(k);
      s.outcome_names.push_back(per_run_outputs()[k].name);
    }
  // values[arm][outcome][(point, replicate)]: runs of two arms pair when they share the design
  // point and the replicate (same population, network and draws).
  using Key = std::pair<std::int32_t, std::int32_t>;
  std::vector<std::vector<std::map<Key, double>>> values(
      arm_names.size(), std::vector<std::map<Key, double>>(idx.size()));
  for (const auto& r : runs) {
    if (r.status != 1 || r.arm < 0 || static_cast<std::size_t>(r.arm) >= arm_names.size()) continue;
    for (std::size_t o = 0; o < idx.size(); ++o)
      values[static_cast<std::size_t>(r.arm)][o][Key{r.point, r.replicate}] = r.per_run[idx[o]];
  }
  for (std::size_t a = 0; a < arm_names.size(); ++a) {
    ArmSummary as;
    as.arm = arm_names[a];
    for (std::size_t o = 0; o < idx.size(); ++o) {
      std::vector<double> v;
      for (const auto& [rep, x] : values[a][o]) v.push_back(x);
      as.outcomes.push_back(estimate(v));
      if (a > 0) {
        std::vector<double> d;
        for (const auto& [rep, x] : values[a][o]) {
          auto it = values[0][o].find(rep);
          if (it != values[0][o].end()) d.push_back(x - it->second);
        }
        as.differences.push_back(estimate(d));
      }
    }
    s.arms.push_back(std::move(as));
  }
  return s;
}

std::vector<ArmDurability> durability_by_arm(const std::vector<RunRecord>& runs,
                                             const std::vector<std::string>& arm_names,
                                             std::int32_t steps) {
  std::vector<ArmDurability> out;
  for (std::size_t a = 0; a < arm_names.size(); ++a) {
    ArmDurability d;
    d.arm = arm_names[a];
    std::vector<double> durations;
    std::vector<bool> events;
    for (const auto& r : runs) {
      if (r.arm != static_cast<std::int32_t>(a) || r.status != 1) continue;
      for (const auto& w : r.wins) {
        durations.push_back(w.duration(steps));
        events.push_back(!w.censored);
        ++d.wins;
        d.reversals += w.censored ? 0 : 1;
      }
    }
    if (!durations.empty()) d.curve = kaplan_meier(durations, events);
    out.push_back(std::move(d));
  }
  return out;
}

namespace {
/// A mean and its interval; "(n of N runs)" after it when the outcome is undefined (NaN) in some
/// runs, so that a mean of one run is not read as a mean of all (`what`: "runs" or "pairs").
std::string cell(const Estimate& e, const char* what) {
  if (e.n == 0) return e.of > 0 ? std::string("n/a (0 of ") + std::to_string(e.of) + " " + what + ")"
                                : std::string("n/a");
  std::string s = estimate_text(e.mean, e.half_width);
  if (e.n < e.of) s += " (" + std::to_string(e.n) + " of " + std::to_string(e.of) + " " + what + ")";
  return s;
}
/// Width in characters, counting the UTF-8 '±' as one.
std::size_t width(const std::string& s) {
  std::size_t len = 0;
  for (unsigned char c : s) len += (c & 0xC0) != 0x80 ? 1 : 0;
  return len;
}
std::string pad(const std::string& s, std::size_t w) {
  const std::size_t len = width(s);
  return s + std::string(w > len ? w - len : 0, ' ');
}
}  // namespace

std::string format_summary(const Summary& s, const std::string& title,
                           const std::vector<ArmDurability>& durability) {
  std::string out = title + "\n";
  std::size_t w0 = 14;
  for (const auto& n : s.outcome_names) w0 = std::max(w0, n.size() + 2);
  std::size_t w = 20;
  bool some_undefined = false;  // an outcome undefined (NaN) in some runs: "(n of N runs)"
  for (const auto& a : s.arms) {
    w = std::max(w, a.arm.size() + 2);
    for (const auto& e : a.outcomes) {
      w = std::max(w, width(cell(e, "runs")) + 2);
      some_undefined = some_undefined || e.n < e.of;
    }
    for (const auto& e : a.differences) w = std::max(w, width(cell(e, "pairs")) + 2);
  }
  out += pad("", w0);
  for (const auto& a : s.arms) out += pad(a.arm, w);
  out += "\n";
  for (std::size_t o = 0; o < s.outcome_names.size(); ++o) {
    out += pad(s.outcome_names[o], w0);
    for (const auto& a : s.arms) out += pad(cell(a.outcomes[o], "runs"), w);
    out += "\n";
  }
  if (s.arms.size() > 1) {
    out += "\npaired differences vs " + s.arms[0].arm + " (same replicates):\n";
    for (std::size_t o = 0; o < s.outcome_names.size(); ++o) {
      out += pad(s.outcome_names[o], w0) + pad("", w);
      for (std::size_t a = 1; a < s.arms.size(); ++a)
        out += pad(cell(s.arms[a].differences[o], "pairs"), w);
      out += "\n";
    }
  }
  // The footer explains the ± the cells show; with one replicate they show none.
  bool any_interval = false;
  const auto shows_interval = [](const Estimate& e) {
    return e.n > 0 && std::isfinite(e.half_width);
  };
  for (const auto& a : s.arms) {
    for (const auto& e : a.outcomes) any_interval = any_interval || shows_interval(e);
    for (const auto& e : a.differences) any_interval = any_interval || shows_interval(e);
  }
  out += any_interval ? "(mean ± half-width of the 95% confidence interval over replicates)\n"
                      : "(no confidence interval: each value is from a single run; 2 or more "
                        "replicates give one)\n";
  if (some_undefined)
    out += "(n of N runs: the outcome is undefined in the other runs, e.g. final_turnout in a run "
           "that called no action; the mean is of the n, a difference of the pairs where both "
           "are defined)\n";
  bool any_wins = false;
  for (const auto& d : durability) any_wins = any_wins || d.wins > 0;
  if (any_wins) {
    out += "\nwin durability (Kaplan-Meier over all wins of each arm; S(t) = share of wins still "
           "standing t steps after they were won):\n";
    for (const auto& d : durability) {
      char buf[256];
      if (d.wins == 0) {
        std::snprintf(buf, sizeof buf, "  %-22s no wins\n", d.arm.c_str());
      } else {
        const auto& c = d.curve;
        // S and its interval at 26 and 52 steps (half a year, a year of weekly steps).
        auto at = [&](double t, double& surv, double& lo, double& hi) {
          surv = 1.0;
          lo = hi = 1.0;
          for (std::size_t k = 0; k < c.time.size() && c.time[k] <= t; ++k) {
            surv = c.survival[k];
            lo = c.lower[k];
            hi = c.upper[k];
          }
        };
        double s26, l26, h26, s52, l52, h52;
        at(26, s26, l26, h26);
        at(52, s52, l52, h52);
        std::string median = std::isnan(c.median) ? std::string("not reached")
                                                  : std::to_string(static_cast<long>(c.median)) + " steps";
        std::snprintf(buf, sizeof buf,
                      "  %-22s %lld wins, %lld reversed; median %s; S(26) = %.2f [%.2f, %.2f]; "
                      "S(52) = %.2f [%.2f, %.2f]\n",
                      d.arm.c_str(), static_cast<long long>(d.wins),
                      static_cast<long long>(d.reversals), median.c_str(), s26, l26, h26, s52, l52,
                      h52);
      }
      out += buf;
    }
  }
  return out;
}

}  // namespace orgsim
