#include "io/scenario.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.hpp"
#include "core/text.hpp"
#include "model/distributions.hpp"
#include "model/parameters.hpp"

namespace orgsim {

using nlohmann::json;

namespace {

std::string num_text(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

/// Immediate children of a section (e.g. "population" -> size, threshold, ...).
std::vector<std::string> children_of(const std::string& prefix) {
  std::vector<std::string> out;
  const std::string p = prefix.empty() ? "" : prefix + ".";
  for (const auto& spec : parameter_table()) {
    if (spec.key.compare(0, p.size(), p) != 0) continue;
    std::string rest = spec.key.substr(p.size());
    rest = rest.substr(0, rest.find('.'));
    if (std::find(out.begin(), out.end(), rest) == out.end()) out.push_back(rest);
  }
  if (prefix.empty()) out.push_back("arms");
  return out;
}

bool is_section(const std::string& path) {
  const std::string p = path + ".";
  for (const auto& spec : parameter_table())
    if (spec.key.compare(0, p.size(), p) == 0) return true;
  return false;
}

[[noreturn]] void unknown_key(const std::string& file, const std::string& prefix,
                              const std::string& key) {
  const std::string path = prefix.empty() ? key : prefix + "." + key;
  auto kids = children_of(prefix);
  std::string hint;
  std::string guess = did_you_mean(key, kids);
  if (guess.empty()) {
    // Maybe a key placed in the wrong section, or a typo in a full dotted path.
    guess = did_you_mean(path, parameter_keys());
    if (!guess.empty()) hint = "did you mean `" + guess + "`?";
  } else {
    hint = "did you mean `" + (prefix.empty() ? guess : prefix + "." + guess) + "`?";
  }
  std::string expected = "one of the keys " + join_or(kids);
  if (!prefix.empty()) expected = "a key of `" + prefix + "`: " + join_or(kids);
  throw InputError(file, path, expected, "unknown key `" + key + "`", hint);
}

json validate_seed_set(const json& v, const std::string& file, const std::string& path) {
  const std::string forms =
      "a seed set {\"random\": k}, {\"fraction\": f}, {\"agents\": [ids], \"with_neighbors\": "
      "bool} or {\"rung\": \"supporter\"|\"member\"|\"leader\"}";
  if (!v.is_object()) throw InputError(file, path, forms, json_value_text(v));
  int kinds = 0;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& k = it.key();
    const std::string sub = path + "." + k;
    if (k == "random") {
      ++kinds;
      if (!it->is_number_integer() || it->get<double>() < 0)
        throw InputError(file, sub, "a non-negative integer number of agents", json_value_text(*it));
    } else if (k == "fraction") {
      ++kinds;
      if (!it->is_number() || !(it->get<double>() >= 0 && it->get<double>() <= 1))
        throw InputError(file, sub, "a number in [0, 1]", json_value_text(*it));
    } else if (k == "agents") {
      ++kinds;
      if (!it->is_array()) throw InputError(file, sub, "an array of agent ids", json_value_text(*it));
      for (std::size_t i = 0; i < it->size(); ++i) {
        const json& id = (*it)[i];
        if (!id.is_number_integer() || id.get<double>() < 0)
          throw InputError(file, sub + "[" + std::to_string(i) + "]",
                           "a non-negative integer agent id", json_value_text(id));
      }
    } else if (k == "rung") {
      ++kinds;
      const std::vector<std::string> rungs = {"supporter", "member", "leader"};
      if (!it->is_string() ||
          std::find(rungs.begin(), rungs.end(), it->get<std::string>()) == rungs.end())
        throw InputError(file, sub, "one of \"supporter\", \"member\" or \"leader\"",
                         it->is_string() ? it->dump() : json_value_text(*it));
    } else if (k == "with_neighbors") {
      if (!it->is_boolean()) throw InputError(file, sub, "true or false", json_value_text(*it));
      if (!v.contains("agents"))
        throw InputError(file, sub, "with_neighbors only together with \"agents\"",
                         "it without \"agents\"");
    } else {
      auto guess = did_you_mean(k, {"random", "fraction", "agents", "with_neighbors", "rung"});
      throw InputError(file, sub, "one of the keys random, fraction, agents, with_neighbors, rung",
                       "unknown key `" + k + "`",
                       guess.empty() ? "" : "did you mean `" + path + "." + guess + "`?");
    }
  }
  if (kinds != 1)
    throw InputError(file, path, forms + " (exactly one kind)",
                     kinds == 0 ? "none of them" : "several kinds");
  return v;
}

json validate_value(const ParamSpec& spec, const json& v, const std::string& file,
                    const std::string& path) {
  // A parameter whose default is null takes its value from the strategy preset; null restores that.
  if (v.is_null() && spec.default_value.is_null()) return v;
  switch (spec.type) {
    case ParamType::number: {
      if (!v.is_number())
        throw InputError(file, path, "a number in [" + num_text(spec.min) + ", " +
                                         num_text(spec.max) + "]", json_value_text(v));
      const double x = v.get<double>();
      if (!std::isfinite(x) || x < spec.min || x > spec.max)
        throw InputError(file, path,
                         "a number in [" + num_text(spec.min) + ", " + num_text(spec.max) + "]",
                         v.dump());
      return v;
    }
    case ParamType::integer: {
      json out = v;
      if (v.is_number_float()) {
        const double x = v.get<double>();
        if (std::isfinite(x) && std::floor(x) == x && std::fabs(x) < 9e15)
          out = static_cast<std::int64_t>(x);
      }
      if (!out.is_number_integer())
        throw InputError(file, path, "an integer in [" + num_text(spec.min) + ", " +
                                         num_text(spec.max) + "]", json_value_text(v));
      const double x = out.get<double>();
      if (x < spec.min || x > spec.max || (out.is_number_integer() && !out.is_number_unsigned() &&
                                            out.get<std::int64_t>() < 0 && spec.min >= 0))
        throw InputError(file, path,
                         "an integer in [" + num_text(spec.min) + ", " + num_text(spec.max) + "]",
                         v.dump());
      return out;
    }
    case ParamType::boolean:
      if (!v.is_boolean()) throw InputError(file, path, "true or false", json_value_text(v));
      return v;
    case ParamType::choice: {
      if (!v.is_string()) throw InputError(file, path, "one of " + join_or(spec.choices), json_value_text(v));
      const auto s = v.get<std::string>();
      if (std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end()) {
        auto guess = did_you_mean(s, spec.choices);
        throw InputError(file, path, "one of " + join_or(spec.choices), v.dump(),
                         guess.empty() ? "" : "did you mean \"" + guess + "\"?");
      }
      return v;
    }
    case ParamType::text:
    case ParamType::path:
      if (!v.is_string()) throw InputError(file, path, "a string", json_value_text(v));
      return v;
    case ParamType::distribution:
      parse_distribution(v, file, path, Range{spec.min, spec.max});
      return v;
    case ParamType::seed_set:
      return validate_seed_set(v, file, path);
    case ParamType::rounds: {
      if (v.is_string() && v.get<std::string>() == "until_stable") return v;
      if (v.is_number_integer() && v.get<double>() >= 1 && v.get<double>() <= spec.max) return v;
      throw InputError(file, path, "\"until_stable\" or an integer number of rounds >= 1",
                       v.is_string() ? v.dump() : json_value_text(v));
    }
  }
  return v;
}

void walk(const json& obj, const std::string& prefix, json& flat, const std::string& file) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& key = it.key();
    if (prefix.empty() && key == "arms") continue;  // handled by the caller
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (const ParamSpec* spec = find_param(path)) {
      flat[path] = validate_value(*spec, *it, file, path);
    } else if (is_section(path)) {
      if (!it->is_object())
        throw InputError(file, path, "an object (section with keys " + join_or(children_of(path)) + ")",
                         json_value_text(*it));
      walk(*it, path, flat, file);
    } else {
      unknown_key(file, prefix, key);
    }
  }
}

std::vector<Arm> parse_arms(const json& doc, const std::string& file) {
  std::vector<Arm> arms;
  if (!doc.contains("arms")) {
    arms.push_back(Arm{"baseline", "", json::object()});
    return arms;
  }
  const json& a = doc.at("arms");
  if (!a.is_array() || a.empty())
    throw InputError(file, "arms", "a non-empty array of {\"name\": ..., \"set\": {...}}",
                     a.is_array() ? "an empty array" : json_value_text(a));
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string where = "arms[" + std::to_string(i) + "]";
    const json& e = a[i];
    if (!e.is_object()) throw InputError(file, where, "an object {\"name\": ..., \"set\": {...}}", json_value_text(e));
    Arm arm;
    for (auto it = e.begin(); it != e.end(); ++it) {
      if (it.key() == "name") {
        if (!it->is_string() || it->get<std::string>().empty())
          throw InputError(file, where + ".name", "a non-empty string", json_value_text(*it));
        arm.name = it->get<std::string>();
        for (char c : arm.name)
          if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
            throw InputError(file, where + ".name", "letters, digits, '_' or '-' only",
                             it->dump());
      } else if (it.key() == "description") {
        if (!it->is_string()) throw InputError(file, where + ".description", "a string", json_value_text(*it));
        arm.description = it->get<std::string>();
      } else if (it.key() == "set") {
        if (!it->is_object())
          throw InputError(file, where + ".set", "an object of dotted parameter keys and values",
                           json_value_text(*it));
        arm.overrides = *it;
      } else {
        auto guess = did_you_mean(it.key(), {"name", "description", "set"});
        throw InputError(file, where + "." + it.key(), "one of the keys name, description, set",
                         "unknown key `" + it.key() + "`",
                         guess.empty() ? "" : "did you mean `" + guess + "`?");
      }
    }
    if (arm.name.empty()) throw InputError(file, where, "a \"name\"", "none");
    for (const auto& prev : arms)
      if (prev.name == arm.name)
        throw InputError(file, where + ".name", "a name not used by another arm",
                         "\"" + arm.name + "\" again");
    arms.push_back(std::move(arm));
  }
  return arms;
}

}  // namespace

std::string json_value_text(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean (" + v.dump() + ")";
    case json::value_t::string: return "a string (" + v.dump() + ")";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "the integer " + v.dump();
    case json::value_t::number_float: return "the number " + v.dump();
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    default: return v.dump();
  }
}

json default_parameters() {
  json flat = json::object();
  for (const auto& p : parameter_table()) flat[p.key] = p.default_value;
  return flat;
}

json parse_json_text(const std::string& text, const std::string& file) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    const auto pos = what.find("syntax error");
    if (pos != std::string::npos) what = what.substr(pos);
    throw InputError(file, "line " + std::to_string(line) + ", column " + std::to_string(col),
                     "valid JSON", what);
  }
}

void set_parameter(json& flat, const std::string& key, const json& value, const std::string& file,
                   const std::string& where) {
  if (const ParamSpec* spec = find_param(key)) {
    flat[key] = validate_value(*spec, value, file, where);
    return;
  }
  // A path inside a distribution or seed object, e.g. population.threshold.of.sd.
  for (std::size_t dot = key.rfind('.'); dot != std::string::npos && dot > 0;
       dot = key.rfind('.', dot - 1)) {
    const std::string head = key.substr(0, dot);
    const ParamSpec* spec = find_param(head);
    if (!spec) continue;
    if (spec->type != ParamType::distribution && spec->type != ParamType::seed_set)
      throw InputError(file, where, "a parameter key (`" + head + "` is a " +
                                        (spec->type == ParamType::choice ? "choice" : "value") +
                                        " and has no sub-keys)",
                       "`" + key + "`");
    json obj = flat.contains(head) ? flat[head] : spec->default_value;
    std::string pointer = "/" + key.substr(dot + 1);
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    json::json_pointer ptr(pointer);
    // A sub-key switching kind (e.g. ".distribution") keeps the other keys; validation names them.
    if (!obj.is_object()) obj = json::object();
    try {
      obj[ptr] = value;
    } catch (const json::exception&) {
      throw InputError(file, where, "a path into the object at `" + head + "`", "`" + key + "`");
    }
    flat[head] = validate_value(*spec, obj, file, head);
    return;
  }
  if (is_section(key))
    throw InputError(file, where, "a parameter key", "the section `" + key + "`",
                     "parameters in it: " + join_or(children_of(key)));
  auto guess = did_you_mean(key, parameter_keys());
  throw InputError(file, where, "a parameter key (see `orgsim params`)", "unknown key `" + key + "`",
                   guess.empty() ? "" : "did you mean `" + guess + "`?");
}

std::pair<std::string, json> parse_set_argument(const std::string& arg) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("--set", arg, "key=value (e.g. population.size=500)", "`" + arg + "`");
  std::string key = arg.substr(0, eq);
  std::string text = arg.substr(eq + 1);
  json value;
  try {
    value = json::parse(text);
  } catch (const json::parse_error&) {
    value = text;  // a bare word: treat as a string (e.g. network.type=complete)
  }
  return {key, value};
}

Scenario scenario_from_json(const json& doc, const std::string& file, const std::string& dir,
                            std::string raw_text, const std::vector<std::string>& sets) {
  if (!doc.is_object()) throw InputError(file, "(top level)", "a JSON object", json_value_text(doc));
  Scenario sc;
  sc.file = file;
  sc.dir = dir;
  sc.raw_text = std::move(raw_text);
  sc.base = default_parameters();
  walk(doc, "", sc.base, file);
  for (const auto& s : sets) {
    auto [key, value] = parse_set_argument(s);
    set_parameter(sc.base, key, value, "--set", key);
  }
  sc.arms = parse_arms(doc, file);
  for (std::size_t i = 0; i < sc.arms.size(); ++i) {
    json flat = sc.base;
    const auto& ov = sc.arms[i].overrides;
    for (auto it = ov.begin(); it != ov.end(); ++it)
      set_parameter(flat, it.key(), *it, file, "arms[" + std::to_string(i) + "].set." + it.key());
    sc.arm_params.push_back(std::move(flat));
  }
  sc.name = sc.base.at("name").get<std::string>();
  if (sc.name.empty()) sc.name = std::filesystem::path(file).stem().string();
  if (sc.name.empty()) sc.name = "scenario";
  return sc;
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& sets) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    throw InputError(path, "", "a readable scenario file",
                     exists ? "a file that cannot be read" : "no such file");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  json doc = parse_json_text(text, path);
  auto dir = std::filesystem::absolute(path).parent_path().string();
  return scenario_from_json(doc, path, dir, std::move(text), sets);
}

}  // namespace orgsim
