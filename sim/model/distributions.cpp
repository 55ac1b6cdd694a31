#include "model/distributions.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/errors.hpp"
#include "core/specfun.hpp"
#include "core/text.hpp"

namespace orgsim {

namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// The JSON form: one row per kind, naming its keys (required first) — the only place they are
// listed; validation, messages and hints all read this table.

struct KindSpec {
  DistKind kind;
  std::string name;
  std::vector<std::string> required;  // besides "distribution"
  std::vector<std::string> optional;
};

const std::vector<KindSpec>& kind_specs() {
  static const std::vector<KindSpec> specs = {
      {DistKind::constant, "constant", {"value"}, {}},
      {DistKind::uniform, "uniform", {"min", "max"}, {}},
      {DistKind::normal, "normal", {"mean", "sd"}, {"min", "max"}},
      {DistKind::beta, "beta", {"a", "b"}, {}},
      {DistKind::quantiles, "quantiles", {"of"}, {}},
      {DistKind::linspace, "linspace", {"from", "to"}, {}},
      {DistKind::values, "values", {"values"}, {}},
  };
  return specs;
}

std::vector<std::string> kind_names(bool population_level_allowed) {
  std::vector<std::string> names;
  for (const auto& s : kind_specs()) {
    const bool pop = s.kind == DistKind::quantiles || s.kind == DistKind::linspace ||
                     s.kind == DistKind::values;
    if (population_level_allowed || !pop) names.push_back(s.name);
  }
  return names;
}

std::vector<std::string> allowed_keys(const KindSpec& s) {
  std::vector<std::string> keys{"distribution"};
  keys.insert(keys.end(), s.required.begin(), s.required.end());
  keys.insert(keys.end(), s.optional.begin(), s.optional.end());
  return keys;
}

/// Common spellings from other tools, mapped to ours (tried before the edit-distance hint,
/// which cannot see that `mu` means `mean`).
std::string synonym(std::string_view word) {
  static const std::vector<std::pair<std::string_view, std::string_view>> table = {
      {"mu", "mean"},        {"loc", "mean"},       {"average", "mean"}, {"sigma", "sd"},
      {"std", "sd"},         {"stdev", "sd"},       {"stddev", "sd"},    {"scale", "sd"},
      {"lo", "min"},         {"low", "min"},        {"lower", "min"},    {"minimum", "min"},
      {"hi", "max"},         {"high", "max"},       {"upper", "max"},    {"maximum", "max"},
      {"alpha", "a"},        {"beta", "b"},         {"start", "from"},   {"stop", "to"},
      {"end", "to"},         {"val", "value"},      {"type", "distribution"},
      {"kind", "distribution"}, {"dist", "distribution"}, {"gaussian", "normal"},
      {"fixed", "constant"}, {"list", "values"},
  };
  for (const auto& [from, to] : table)
    if (word == from) return std::string(to);
  return {};
}

/// A hint for a misspelt word: a known synonym among the candidates, else the closest one.
std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string syn = synonym(word);
  if (!syn.empty() && std::find(candidates.begin(), candidates.end(), syn) != candidates.end())
    return "did you mean `" + syn + "`?";
  const std::string best = did_you_mean(word, candidates);
  return best.empty() ? std::string() : "did you mean `" + best + "`?";
}

/// "a, b and c"
std::string join_and(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " and " : ", ";
    out += items[i];
  }
  return out;
}

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

/// A JSON value as shown in messages: its text, prefixed by its type unless it is a number,
/// and shortened if long (a `values` list can hold a whole population).
std::string shown(const json& v) {
  constexpr std::size_t kMaxChars = 200;
  std::string text = v.dump();
  if (text.size() > kMaxChars) text = text.substr(0, kMaxChars) + "...";
  if (v.is_number()) return text;
  return std::string(v.type_name()) + " " + text;
}

/// Shortest text that reads back as x ("0", "0.18", "1e+300").
std::string fmt(double x) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

std::string range_text(Range r) { return "[" + fmt(r.lo) + ", " + fmt(r.hi) + "]"; }

bool in_range(double x, Range r) { return x >= r.lo && x <= r.hi; }

double clip(double x, double lo, double hi) { return std::min(std::max(x, lo), hi); }

/// The interval a normal is clipped to: its own min/max where given, else the range.
std::pair<double, double> normal_clip(const Distribution& d, Range range) {
  return {d.has_min ? d.min : range.lo, d.has_max ? d.max : range.hi};
}

/// Validation of one distribution object; `file` is carried into every error.
class Parser {
 public:
  explicit Parser(const std::string& file) : file_(file) {}

  Distribution parse(const json& j, const std::string& path, Range range) const {
    const KindSpec& spec = kind_of(j, path);
    check_keys(j, path, spec);

    Distribution d;
    d.kind = spec.kind;
    switch (spec.kind) {
      case DistKind::constant:
        d.value = number(j, path, "value");
        check_in_range(j, path, "value", range);
        break;
      case DistKind::uniform:
        d.min = number(j, path, "min");
        d.max = number(j, path, "max");
        if (d.min > d.max)
          throw InputError(file_, child(path, "max"),
                           "a number >= min (" + fmt(d.min) + ") for a uniform distribution",
                           shown(j.at("max")));
        check_in_range(j, path, "min", range);
        check_in_range(j, path, "max", range);
        break;
      case DistKind::normal:
        d.mean = number(j, path, "mean");
        d.sd = number(j, path, "sd");
        if (d.sd < 0.0)
          throw InputError(file_, child(path, "sd"), "a standard deviation >= 0",
                           shown(j.at("sd")));
        d.has_min = j.contains("min");
        d.has_max = j.contains("max");
        if (d.has_min) d.min = number(j, path, "min");
        if (d.has_max) d.max = number(j, path, "max");
        if (d.has_min && d.has_max && d.min > d.max)
          throw InputError(file_, child(path, "max"),
                           "a clip bound >= min (" + fmt(d.min) + ") for a normal distribution",
                           shown(j.at("max")));
        // A normal without min/max is clipped to the range (documented rule); explicit clip
        // bounds must lie inside it, or they would promise values the attribute cannot take.
        if (d.has_min) check_in_range(j, path, "min", range);
        if (d.has_max) check_in_range(j, path, "max", range);
        break;
      case DistKind::beta:
        d.a = number(j, path, "a");
        d.b = number(j, path, "b");
        for (const auto& [key, shape] : {std::pair{"a", d.a}, std::pair{"b", d.b}})
          if (!(shape > 0.0))
            throw InputError(file_, child(path, key), "a shape parameter > 0",
                             shown(j.at(key)));
        if (!(range.lo <= 0.0 && range.hi >= 1.0))
          throw InputError(file_, path,
                           "a distribution whose values lie in " + range_text(range) +
                               " (a beta distribution takes values in [0, 1])",
                           shown(j), "use a uniform, a clipped normal or constant instead");
        break;
      case DistKind::quantiles:
        d.of = std::make_shared<const Distribution>(parse_of(j.at("of"), child(path, "of"),
                                                             range));
        break;
      case DistKind::linspace:
        d.from = number(j, path, "from");
        d.to = number(j, path, "to");
        check_in_range(j, path, "from", range);
        check_in_range(j, path, "to", range);
        break;
      case DistKind::values:
        d.values = values(j.at("values"), child(path, "values"), range);
        break;
    }
    return d;
  }

 private:
  /// The object's kind, from its "distribution" key.
  const KindSpec& kind_of(const json& j, const std::string& path) const {
    const std::string names = join_or(kind_names(true));
    if (!j.is_object())
      throw InputError(file_, path,
                       "a distribution object such as {\"distribution\": \"constant\", "
                       "\"value\": 0.5}",
                       shown(j));
    if (!j.contains("distribution")) {
      std::string hint;
      for (const auto& [key, value] : j.items())
        if (suggestion(key, {"distribution"}) == "did you mean `distribution`?")
          hint = "did you mean `distribution` instead of `" + key + "`?";
      throw InputError(file_, path, "a \"distribution\" key naming one of " + names,
                       shown(j), hint);
    }
    const json& name = j.at("distribution");
    if (!name.is_string())
      throw InputError(file_, child(path, "distribution"), "a string naming one of " + names,
                       shown(name));
    const auto& s = name.get_ref<const std::string&>();
    for (const auto& spec : kind_specs())
      if (spec.name == s) return spec;
    throw InputError(file_, child(path, "distribution"), "one of " + names, shown(name),
                     suggestion(s, kind_names(true)));
  }

  /// Every key must belong to the kind; every required key must be present.
  void check_keys(const json& j, const std::string& path, const KindSpec& spec) const {
    const std::vector<std::string> keys = allowed_keys(spec);
    for (const auto& [key, value] : j.items()) {
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      // A key of another kind (e.g. `min` on a beta) says which kind the user had in mind;
      // otherwise suggest the closest key (by synonym, then by spelling).
      std::vector<std::string> owners;
      for (const auto& other : kind_specs()) {
        const auto ok = allowed_keys(other);
        if (std::find(ok.begin(), ok.end(), key) != ok.end()) owners.push_back(other.name);
      }
      const std::string syn = synonym(key);
      std::string hint;
      if (!syn.empty() && std::find(keys.begin(), keys.end(), syn) != keys.end())
        hint = "did you mean `" + syn + "`?";
      else if (!owners.empty())
        hint = "`" + key + "` is a key of " + join_or(owners) + " distributions, not of " +
               spec.name + " ones";
      else
        hint = suggestion(key, keys);
      throw InputError(file_, child(path, key),
                       "one of the keys of a " + spec.name + " distribution (" +
                           join_or(keys) + ")",
                       "unknown key \"" + key + "\" with value " + shown(value), hint);
    }
    for (const auto& key : spec.required)
      if (!j.contains(key))
        throw InputError(file_, child(path, key),
                         "the key `" + key + "` (a " + spec.name + " distribution needs " +
                             join_and(spec.required) + ")",
                         "no such key in " + shown(j));
  }

  /// j[key] as a finite number (JSON true/false and strings are not numbers).
  double number(const json& j, const std::string& path, const std::string& key) const {
    return number_at(j.at(key), child(path, key));
  }

  double number_at(const json& v, const std::string& where) const {
    if (!v.is_number()) throw InputError(file_, where, "a number", shown(v));
    const double x = v.get<double>();
    if (!std::isfinite(x)) throw InputError(file_, where, "a finite number", shown(v));
    return x;
  }

  void check_in_range(const json& j, const std::string& path, const std::string& key,
                      Range range) const {
    const json& v = j.at(key);
    if (!in_range(v.get<double>(), range))
      throw InputError(file_, child(path, key),
                       "a number in " + range_text(range) + " (the range of this value)",
                       shown(v));
  }

  /// The distribution whose quantiles are taken: one of the per-agent kinds.
  Distribution parse_of(const json& j, const std::string& path, Range range) const {
    if (j.is_object() && j.contains("distribution") && j.at("distribution").is_string()) {
      const auto& name = j.at("distribution").get_ref<const std::string&>();
      const auto pop = kind_names(true);
      const auto per_agent = kind_names(false);
      if (std::find(pop.begin(), pop.end(), name) != pop.end() &&
          std::find(per_agent.begin(), per_agent.end(), name) == per_agent.end())
        throw InputError(file_, child(path, "distribution"),
                         "one of " + join_or(per_agent) +
                             " (the quantiles of a population-level distribution are not "
                             "defined)",
                         shown(j.at("distribution")));
    }
    return parse(j, path, range);
  }

  std::vector<double> values(const json& v, const std::string& path, Range range) const {
    if (!v.is_array() || v.empty())
      throw InputError(file_, path, "a non-empty array of numbers, one per agent", shown(v));
    std::vector<double> out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string where = path + "[" + std::to_string(i) + "]";
      const double x = number_at(v[i], where);
      if (!in_range(x, range))
        throw InputError(file_, where,
                         "a number in " + range_text(range) + " (the range of this value)",
                         shown(v[i]));
      out.push_back(x);
    }
    return out;
  }

  const std::string& file_;
};

/// Neumaier's compensated sum (Neumaier 1974, ZAMM 54:39): keeps a mean over 10^6 values to
/// full precision.
class CompensatedSum {
 public:
  void add(double x) {
    const double t = sum_ + x;
    if (std::fabs(sum_) >= std::fabs(x))
      comp_ += (sum_ - t) + x;
    else
      comp_ += (x - t) + sum_;
    sum_ = t;
  }
  double value() const { return sum_ + comp_; }

 private:
  double sum_ = 0.0, comp_ = 0.0;
};

double standard_normal_pdf(double x) {
  constexpr double kInvSqrt2Pi = 0.39894228040143267794;
  return kInvSqrt2Pi * std::exp(-0.5 * x * x);
}

const Distribution& quantiles_of(const Distribution& d) {
  if (!d.of) throw std::invalid_argument("quantiles distribution without `of`");
  return *d.of;
}

}  // namespace

Distribution parse_distribution(const nlohmann::json& j, const std::string& file,
                                const std::string& path, Range range) {
  return Parser(file).parse(j, path, range);
}

void draw_values(const Distribution& d, Rng& rng, std::vector<float>& out, Range range) {
  const std::size_t n = out.size();
  switch (d.kind) {
    case DistKind::constant:
      std::fill(out.begin(), out.end(), static_cast<float>(d.value));
      return;
    case DistKind::uniform:
    case DistKind::normal:
    case DistKind::beta:
      for (auto& x : out) x = static_cast<float>(draw_one(d, rng, range));
      return;
    case DistKind::quantiles: {
      // Deterministic values at the quantiles (i + 1/2)/N, then a random assignment to agents.
      const Distribution& of = quantiles_of(d);
      const double dn = static_cast<double>(n);
      for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<float>(quantile(of, (static_cast<double>(i) + 0.5) / dn, range));
      rng.shuffle(out.begin(), out.end());
      return;
    }
    case DistKind::linspace: {
      if (n == 0) return;
      out[0] = static_cast<float>(d.from);
      if (n == 1) return;
      const double step = (d.to - d.from) / static_cast<double>(n - 1);
      for (std::size_t i = 1; i + 1 < n; ++i)
        out[i] = static_cast<float>(d.from + step * static_cast<double>(i));
      out[n - 1] = static_cast<float>(d.to);  // exact end, whatever the rounding of `step`
      return;
    }
    case DistKind::values:
      if (d.values.size() != n)
        throw std::invalid_argument("values distribution has " +
                                    std::to_string(d.values.size()) + " values for " +
                                    std::to_string(n) + " agents");
      std::transform(d.values.begin(), d.values.end(), out.begin(),
                     [](double v) { return static_cast<float>(v); });
      return;
  }
}

double draw_one(const Distribution& d, Rng& rng, Range range) {
  switch (d.kind) {
    case DistKind::constant:
      return d.value;
    case DistKind::uniform:
      return rng.uniform(d.min, d.max);
    case DistKind::normal: {
      const auto [lo, hi] = normal_clip(d, range);
      return clip(rng.normal(d.mean, d.sd), lo, hi);
    }
    case DistKind::beta:
      return rng.beta(d.a, d.b);
    case DistKind::quantiles:
    case DistKind::linspace:
    case DistKind::values:
      break;
  }
  throw std::invalid_argument("draw_one: population-level distributions (quantiles, linspace, "
                              "values) cannot be drawn one value at a time");
}

double quantile(const Distribution& d, double p, Range range) {
  if (!(p >= 0.0 && p <= 1.0))
    throw std::invalid_argument("quantile: probability " + fmt(p) + " is outside [0, 1]");
  switch (d.kind) {
    case DistKind::constant:
      return d.value;
    case DistKind::uniform:
      return d.min + p * (d.max - d.min);
    case DistKind::normal: {
      const auto [lo, hi] = normal_clip(d, range);
      if (d.sd == 0.0) return clip(d.mean, lo, hi);
      return clip(d.mean + d.sd * normal_quantile(p), lo, hi);
    }
    case DistKind::beta:
      return incomplete_beta_inv(d.a, d.b, p);
    case DistKind::quantiles:
    case DistKind::linspace:
    case DistKind::values:
      break;
  }
  throw std::invalid_argument(
      "quantile: defined only for constant, uniform, normal and beta distributions");
}

double distribution_mean(const Distribution& d, std::int64_t n, Range range) {
  if (d.population_level() && n < 1)
    throw std::invalid_argument("distribution_mean: population-level distributions need n >= 1");
  switch (d.kind) {
    case DistKind::constant:
      return d.value;
    case DistKind::uniform:
      return 0.5 * (d.min + d.max);
    case DistKind::beta:
      return d.a / (d.a + d.b);
    case DistKind::normal: {
      // A normal clipped to [lo, hi]: point masses Phi(alpha) at lo and 1 - Phi(beta) at hi,
      // plus the untouched middle, whose first moment is mean (Phi(beta) - Phi(alpha)) +
      // sd (phi(alpha) - phi(beta)), with alpha = (lo - mean)/sd, beta = (hi - mean)/sd.
      const auto [lo, hi] = normal_clip(d, range);
      if (d.sd == 0.0) return clip(d.mean, lo, hi);
      const double alpha = (lo - d.mean) / d.sd, beta = (hi - d.mean) / d.sd;
      const double mass_lo = normal_cdf(alpha);
      const double mass_hi = normal_cdf(-beta);  // 1 - Phi(beta), without cancellation
      double m = d.mean * (1.0 - mass_lo - mass_hi) +
                 d.sd * (standard_normal_pdf(alpha) - standard_normal_pdf(beta));
      if (mass_lo > 0.0) m += lo * mass_lo;  // (guarded: lo may be huge or infinite)
      if (mass_hi > 0.0) m += hi * mass_hi;
      return m;
    }
    case DistKind::quantiles: {
      const Distribution& of = quantiles_of(d);
      const double dn = static_cast<double>(n);
      CompensatedSum sum;
      for (std::int64_t i = 0; i < n; ++i)
        sum.add(quantile(of, (static_cast<double>(i) + 0.5) / dn, range));
      return sum.value() / dn;
    }
    case DistKind::linspace:
      return n == 1 ? d.from : 0.5 * (d.from + d.to);
    case DistKind::values: {
      if (d.values.size() != static_cast<std::size_t>(n))
        throw std::invalid_argument("distribution_mean: values distribution has " +
                                    std::to_string(d.values.size()) + " values for " +
                                    std::to_string(n) + " agents");
      CompensatedSum sum;
      for (double v : d.values) sum.add(v);
      return sum.value() / static_cast<double>(n);
    }
  }
  return 0.0;  // unreachable: every kind is handled above
}

}  // namespace orgsim
