#include "io/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/sha256.hpp"
#include "core/text.hpp"
#include "io/outputs.hpp"
#include "model/config.hpp"
#include "model/distributions.hpp"
#include "model/parameters.hpp"

namespace orgsim {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

/// Shortest text that reads back as x ("0.35", "5", "inf").
std::string num_text(double x) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

/// What a number parameter takes: "a number in [0, 5]", or "a number >= 0" without an upper
/// bound, "a finite number" without either.
std::string number_range_text(const ParamSpec& spec) {
  if (std::isinf(spec.min) && std::isinf(spec.max)) return "a finite number";
  if (std::isinf(spec.max)) return "a number >= " + num_text(spec.min);
  return "a number in [" + num_text(spec.min) + ", " + num_text(spec.max) + "]";
}

/// What an integer parameter takes, its bounds exact: "an integer in [1, 2147483647]"; the seed,
/// bounded only by its 64-bit type (no JSON integer is larger), "an integer >= 0".
std::string integer_range_text(const ParamSpec& spec) {
  if (spec.max >= kLargestUint64) return "an integer >= " + integer_text(spec.min);
  return "an integer in [" + integer_text(spec.min) + ", " + integer_text(spec.max) + "]";
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
  if (prefix.empty()) {
    out.push_back("arms");
    out.push_back("extends");
    out.push_back("discussion");
    out.push_back("try");
  }
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

/// Validates a seed set with the one seed-set parser (model/config.hpp parse_seed_set, which
/// make_config's binding calls too) and returns it as stored in the flat map.
json validate_seed_set(const json& v, const std::string& file, const std::string& path) {
  parse_seed_set(v, file, path);
  json out = v;
  // A count or an id given as 3.0 (a sweep's design value, a rerun) is the integer 3.
  if (out.contains("random") && out["random"].is_number_float())
    out["random"] = static_cast<std::int64_t>(out["random"].get<double>());
  if (out.contains("agents"))
    for (auto& id : out["agents"])
      if (id.is_number_float()) id = static_cast<std::int64_t>(id.get<double>());
  return out;
}

json validate_value(const ParamSpec& spec, const json& v, const std::string& file,
                    const std::string& path) {
  // A parameter whose default is null takes its value from the strategy preset; null restores that.
  if (v.is_null() && spec.default_value.is_null()) return v;
  switch (spec.type) {
    case ParamType::number: {
      if (!v.is_number()) throw InputError(file, path, number_range_text(spec), json_value_text(v));
      const double x = v.get<double>();
      if (!std::isfinite(x) || x < spec.min || x > spec.max)
        throw InputError(file, path, number_range_text(spec), v.dump());
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
        throw InputError(file, path, integer_range_text(spec), json_value_text(v));
      const double x = out.get<double>();
      if (x < spec.min || x > spec.max || (out.is_number_integer() && !out.is_number_unsigned() &&
                                            out.get<std::int64_t>() < 0 && spec.min >= 0))
        throw InputError(file, path, integer_range_text(spec), v.dump());
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

/// Where the values being walked come from, for provenance and for base files.
struct Layer {
  std::string file;   // for error messages
  std::string label;  // provenance: "file", "base NAME"
  bool base = false;  // a base: no name or description; relative paths made absolute
  std::string dir;    // the layer's directory (relative paths in a base)
  std::string shown_dir;  // the directory as the user names it (for the names of its bases)
};

/// A distribution or seed set written without its kind (no "distribution" key; none of random,
/// fraction, agents, rung) changes only the keys it names in the value it overrides (the
/// table's default or a base's), as `--set population.threshold.value=0.3` does: so
/// {"extends": ..., "population": {"threshold": {"value": 0.3}}} keeps the base's distribution.
/// An object that names its kind replaces the value whole (a kind's keys do not mix). The same
/// holds inside: a nested distribution without its kind (`"of": {"sd": 0.1}` of a `quantiles`)
/// changes only its keys, as `--set population.threshold.of.sd=0.1` does.
json merged_onto(json inherited, const json& v) {
  for (auto it = v.begin(); it != v.end(); ++it) {
    json& slot = inherited[it.key()];
    if (it->is_object() && slot.is_object() && !it->contains("distribution"))
      slot = merged_onto(std::move(slot), *it);
    else
      slot = *it;
  }
  return inherited;
}

json completed(const ParamSpec& spec, const json& v, const json& flat, const std::string& path) {
  if (!v.is_object() || !flat.contains(path) || !flat[path].is_object()) return v;
  if (spec.type == ParamType::distribution) {
    if (v.contains("distribution")) return v;
  } else if (spec.type == ParamType::seed_set) {
    for (const char* kind : {"random", "fraction", "agents", "rung"})
      if (v.contains(kind)) return v;
  } else {
    return v;
  }
  return merged_onto(flat[path], v);
}

void walk(const json& obj, const std::string& prefix, json& flat, const Layer& layer,
          std::map<std::string, std::string>& origin) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& key = it.key();
    if (prefix.empty() && (key == "arms" || key == "extends" || key == "discussion" ||
                           key == "try"))
      continue;  // handled by the caller
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (const ParamSpec* spec = find_param(path)) {
      json v = validate_value(*spec, completed(*spec, *it, flat, path), layer.file, path);
      if (layer.base && (path == "name" || path == "title" || path == "description"))
        continue;  // per file
      if (layer.base && spec->type == ParamType::path && !v.get<std::string>().empty() &&
          fs::path(v.get<std::string>()).is_relative())
        v = (fs::path(layer.dir) / v.get<std::string>()).lexically_normal().string();
      flat[path] = std::move(v);
      origin[path] = layer.label;
    } else if (is_section(path)) {
      if (!it->is_object())
        throw InputError(layer.file, path,
                         "an object (section with keys " + join_or(children_of(path)) + ")",
                         json_value_text(*it));
      walk(*it, path, flat, layer, origin);
    } else {
      unknown_key(layer.file, prefix, key);
    }
  }
}

/// Applies scenario document `doc` (its bases first) onto `flat`, recording provenance. `chain`
/// holds the identities of the documents being applied (cycle detection), `names` the same as
/// written; `arms`/`arms_file` receive the nearest document's arms.
struct Resolution {
  Resolution(json& f, std::map<std::string, std::string>& o, std::vector<std::string>& b)
      : flat(f), origin(o), bases(b) {}
  json& flat;
  std::map<std::string, std::string>& origin;
  std::vector<std::string>& bases;
  bool has_arms = false;
  json arms;  // the nearest document's arms (a copy: a base document is gone after its turn)
  std::string arms_file;
  std::vector<std::string> discussion;  // the file's own teaching notes
  std::vector<TryThis> try_this;
  std::string notes_file;  // the file they came from (its try values are checked once resolved)
  std::vector<std::string> chain, names;
};

void apply_document(const json& doc, const Layer& layer, const std::string& id, Resolution& r);

/// A teaching note: a non-empty string.
std::string note_text(const json& v, const std::string& file, const std::string& where) {
  if (!v.is_string() || v.get<std::string>().empty())
    throw InputError(file, where, "a non-empty string", json_value_text(v));
  return v.get<std::string>();
}

/// A thing to try: a non-empty string, or {"text": non-empty string, "set": {key: value}}. The
/// values are checked against the resolved scenario later (resolve), as `--set` values are.
TryThis try_entry(const json& v, const std::string& file, const std::string& where) {
  if (v.is_string()) return {note_text(v, file, where), json::object()};
  const std::string forms = "a non-empty string or an object {\"text\": ..., \"set\": {...}}";
  if (!v.is_object()) throw InputError(file, where, forms, json_value_text(v));
  TryThis t;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it.key() == "text") {
      t.text = note_text(*it, file, where + ".text");
    } else if (it.key() == "set") {
      if (!it->is_object())
        throw InputError(file, where + ".set", "an object of dotted parameter keys and values",
                         json_value_text(*it));
      t.set = *it;
    } else {
      auto guess = did_you_mean(it.key(), {"text", "set"});
      throw InputError(file, where + "." + it.key(), "one of the keys text, set",
                       "unknown key `" + it.key() + "`",
                       guess.empty() ? "" : "did you mean `" + guess + "`?");
    }
  }
  if (t.text.empty()) throw InputError(file, where, "a \"text\"", "none");
  return t;
}

void apply_base(const std::string& name, const std::string& file, const std::string& dir,
                const std::string& shown_dir, const std::string& where, Resolution& r) {
  const json& builtins = builtin_bases();
  std::vector<std::string> builtin_names;
  for (auto it = builtins.begin(); it != builtins.end(); ++it) builtin_names.push_back(it.key());
  const std::string expected = "a built-in base (" + join_or(builtin_names) +
                               ") or the path of a scenario file, relative to this file";
  json doc;
  Layer layer;
  layer.base = true;
  layer.label = "base " + name;
  std::string id;
  if (builtins.contains(name)) {
    id = "built-in " + name;
    layer.file = "built-in base `" + name + "`";
    layer.dir = dir;
    layer.shown_dir = shown_dir;
  } else if (name.find('/') != std::string::npos ||
             (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0)) {
    const fs::path p = fs::path(name).is_absolute() ? fs::path(name) : fs::path(dir) / name;
    std::error_code ec;
    id = fs::weakly_canonical(p, ec).string();
    if (ec) id = p.lexically_normal().string();
    layer.dir = fs::absolute(p).parent_path().string();
    const fs::path shown =
        fs::path(name).is_absolute() ? fs::path(name) : (fs::path(shown_dir) / name).lexically_normal();
    layer.file = shown.string();
    layer.shown_dir = shown.parent_path().string();
    if (std::find(r.chain.begin(), r.chain.end(), id) == r.chain.end()) {
      std::string text;
      try {
        text = read_input_file(p.string(), "scenario file", layer.file);
      } catch (const InputError& e) {
        throw InputError(file, where, expected,
                         "\"" + name + "\": " + e.found() + " (" + p.lexically_normal().string() +
                             ")");
      }
      doc = parse_json_text(text, layer.file);
      if (!doc.is_object())
        throw InputError(layer.file, "(top level)", "a JSON object (a scenario)", json_value_text(doc));
    }
  } else {
    const std::string guess = did_you_mean(name, builtin_names);
    throw InputError(file, where, expected, "\"" + name + "\"",
                     guess.empty() ? "a file path ends in .json" : "did you mean \"" + guess + "\"?");
  }
  const auto seen = std::find(r.chain.begin(), r.chain.end(), id);
  if (seen != r.chain.end()) {
    std::string cycle;
    for (auto k = static_cast<std::size_t>(seen - r.chain.begin()); k < r.names.size(); ++k)
      cycle += r.names[k] + " -> ";
    throw InputError(file, where, "a base that does not lead back to a file extending it",
                     "a cycle: " + cycle + name);
  }
  try {
    apply_document(builtins.contains(name) ? builtins.at(name) : doc, layer, id, r);
  } catch (const InputError& e) {
    if (e.file() == file) throw;
    // An error inside a base names the base; say which file extends it (and, level by level,
    // which file extends that one).
    const std::string via = layer.file + " is the base of " + file + " (`" + where + "`)";
    throw InputError(e.file(), e.where(), e.expected(), e.found(),
                     e.hint().empty() ? via : e.hint() + "; " + via);
  }
  r.bases.push_back(name);
}

void apply_document(const json& doc, const Layer& layer, const std::string& id, Resolution& r) {
  r.chain.push_back(id);
  r.names.push_back(layer.base ? layer.label.substr(5) : layer.file);
  if (doc.contains("extends")) {
    const json& e = doc.at("extends");
    const std::string forms =
        "a base: a built-in name (\"classic\"), a scenario file path, or an array of them";
    if (e.is_string()) {
      apply_base(e.get<std::string>(), layer.file, layer.dir, layer.shown_dir, "extends", r);
    } else if (e.is_array()) {
      for (std::size_t i = 0; i < e.size(); ++i) {
        const std::string where = "extends[" + std::to_string(i) + "]";
        if (!e[i].is_string()) throw InputError(layer.file, where, forms, json_value_text(e[i]));
        apply_base(e[i].get<std::string>(), layer.file, layer.dir, layer.shown_dir, where, r);
      }
    } else {
      throw InputError(layer.file, "extends", forms, json_value_text(e));
    }
  }
  walk(doc, "", r.flat, layer, r.origin);
  // Teaching notes: checked in bases too, kept from the file only.
  if (doc.contains("discussion")) {
    const json& v = doc.at("discussion");
    if (!v.is_array())
      throw InputError(layer.file, "discussion",
                       "an array of non-empty strings (one point per entry)", json_value_text(v));
    std::vector<std::string> notes;
    for (std::size_t i = 0; i < v.size(); ++i)
      notes.push_back(note_text(v[i], layer.file, "discussion[" + std::to_string(i) + "]"));
    if (!layer.base) r.discussion = std::move(notes);
  }
  if (doc.contains("try")) {
    const json& v = doc.at("try");
    if (!v.is_array())
      throw InputError(layer.file, "try",
                       "an array of changes to try, each a non-empty string or {\"text\": ..., "
                       "\"set\": {...}}",
                       json_value_text(v));
    std::vector<TryThis> notes;
    for (std::size_t i = 0; i < v.size(); ++i)
      notes.push_back(try_entry(v[i], layer.file, "try[" + std::to_string(i) + "]"));
    if (!layer.base) {
      r.try_this = std::move(notes);
      r.notes_file = layer.file;
    }
  }
  if (doc.contains("arms")) {
    r.has_arms = true;
    r.arms = doc.at("arms");
    r.arms_file = layer.file;
  }
  r.chain.pop_back();
  r.names.pop_back();
}

}  // namespace

void throw_edge_list_error(const Scenario& sc, std::size_t arm, const std::string& written,
                           const InputError& e, const std::string& context) {
  // A path set in a base is named with the base it came from ("base ../lists.json").
  const auto from = sc.origin.find("network.path");
  const std::string where =
      sc.arms[arm].overrides.contains("network.path")
          ? "arms[" + std::to_string(arm) + "].set.network.path"
      : from != sc.origin.end() && from->second.rfind("base ", 0) == 0
          ? "network.path (set in " + from->second + ")"
          : "network.path";
  const std::string at = e.where().empty() ? written : written + " " + e.where();
  throw InputError(sc.file, where + context, e.expected() + " in the edge list",
                   e.found() + " (" + at + ")", e.hint());
}

namespace {

/// Reads every arm's edge list once per (file, population size), attributing its errors to the
/// scenario file and the JSON path that names the list.
void read_edge_lists(Scenario& sc) {
  std::map<std::pair<std::string, std::int64_t>, std::shared_ptr<const Network>> read;
  for (std::size_t a = 0; a < sc.arm_params.size(); ++a) {
    const json& flat = sc.arm_params[a];
    std::shared_ptr<const Network> net;
    const std::string written = flat.at("network.path").get<std::string>();
    if (flat.at("network.type") == network_type_name(NetworkType::edge_list) && !written.empty()) {
      const fs::path p = fs::path(written).is_absolute() ? fs::path(written)
                                                          : fs::path(sc.dir) / written;
      const auto n = flat.at("population.size").get<std::int64_t>();
      auto& slot = read[{p.lexically_normal().string(), n}];
      if (!slot) {
        try {
          slot = std::make_shared<const Network>(
              read_edge_list(p.string(), written, static_cast<std::int32_t>(n)));
        } catch (const InputError& e) {
          throw_edge_list_error(sc, a, written, e);
        }
      }
      net = slot;
    }
    sc.arm_networks.push_back(std::move(net));
  }
}

std::vector<Arm> parse_arms(const json& doc, const std::string& file) {
  std::vector<Arm> arms;
  if (!doc.contains("arms")) {
    arms.push_back(Arm{"baseline", "", json::object()});
    return arms;
  }
  const json& a = doc.at("arms");
  if (!a.is_array())
    throw InputError(file, "arms", "an array of {\"name\": ..., \"set\": {...}}",
                     json_value_text(a));
  // An empty list drops the arms a base brought: the file runs as one arm, as written.
  if (a.empty()) {
    arms.push_back(Arm{"baseline", "", json::object()});
    return arms;
  }
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

std::string table_key_of(const std::string& key) {
  if (find_param(key)) return key;
  for (std::size_t dot = key.rfind('.'); dot != std::string::npos && dot > 0;
       dot = key.rfind('.', dot - 1)) {
    const ParamSpec* spec = find_param(key.substr(0, dot));
    if (!spec) continue;
    return spec->type == ParamType::distribution || spec->type == ParamType::seed_set
               ? spec->key
               : std::string();
  }
  return "";
}

ParamText param_text(const std::string& key) {
  const std::string head = table_key_of(key);
  const ParamSpec* spec = head.empty() ? nullptr : find_param(head);
  if (!spec) throw std::logic_error("param_text: '" + key + "' is not a parameter path");
  ParamText t;
  std::string path = key;
  for (std::size_t dot = path.find('.'); path.size() > kLabelMaxChars && dot != std::string::npos;
       dot = path.find('.'))
    path.erase(0, dot + 1);
  for (char c : path) t.long_name += (c == '.' || c == '_') ? ' ' : c;
  if (!t.long_name.empty())
    t.long_name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(t.long_name[0])));
  t.description = head == key
                      ? spec->meaning
                      : "`" + key.substr(head.size() + 1) + "` of " + head + ": " + spec->meaning;
  t.units = udunits_of(spec->unit);
  return t;
}

std::vector<std::string> integer_parameter_paths() {
  std::vector<std::string> keys;
  for (const auto& p : parameter_table()) {
    if (p.type == ParamType::integer) keys.push_back(p.key);
    if (p.type == ParamType::seed_set) keys.push_back(p.key + ".random");
  }
  return keys;
}

json input_files(const Scenario& sc) {
  std::set<std::pair<std::string, std::string>> used;  // (key, path as in the parameters)
  for (const json& flat : sc.arm_params) {
    const std::string type = flat.at("network.type").get<std::string>();
    std::vector<std::string> keys;
    if (type == network_type_name(NetworkType::edge_list)) keys = {"network.path"};
    if (type == network_type_name(NetworkType::roster))
      keys = {"network.roster", "network.friendships"};
    for (const auto& key : keys)
      if (const std::string p = flat.at(key).get<std::string>(); !p.empty()) used.insert({key, p});
  }
  json files = json::array();
  for (const auto& [key, written] : used) {
    const fs::path p =
        fs::path(written).is_absolute() ? fs::path(written) : fs::path(sc.dir) / written;
    files.push_back({{"key", key},
                     {"path", written},
                     {"sha256", sha256_hex(read_input_file(p.string(), "data file", written))}});
  }
  return files;
}

json default_parameters() {
  json flat = json::object();
  for (const auto& p : parameter_table()) flat[p.key] = p.default_value;
  return flat;
}

namespace {

/// Line and column (1-based) of byte `offset` in `text`.
std::string line_column(const std::string& text, std::size_t offset) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

/// A syntax error (not a number out of range, not a duplicate key): `--set` falls back to a
/// plain string on these.
class JsonSyntaxError : public InputError {
 public:
  using InputError::InputError;
};

/// An input iterator over the text that records how far the parser has read, so that a key's
/// position is known when the parser hands it over (just after its closing quote).
class TrackingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;
  TrackingIterator(const char* p, const char* base, std::size_t* read)
      : p_(p), base_(base), read_(read) {}
  reference operator*() const { return *p_; }
  TrackingIterator& operator++() {
    ++p_;
    *read_ = static_cast<std::size_t>(p_ - base_);
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const TrackingIterator& o) const { return p_ == o.p_; }
  bool operator!=(const TrackingIterator& o) const { return p_ != o.p_; }

 private:
  const char* p_;
  const char* base_;
  std::size_t* read_;
};

/// Builds the document like nlohmann's DOM parser, and in addition rejects a key given twice in
/// one object (naming the path and both lines) and turns the parser's errors (syntax, numbers
/// beyond the double range) into InputError naming the path being read and the line and column.
class StrictDomBuilder {
 public:
  StrictDomBuilder(json& root, const std::string& text, const std::string& file,
                   const std::size_t* read)
      : root_(root), text_(text), file_(file), read_(read) {}

  bool null() { return value(nullptr); }
  bool boolean(bool b) { return value(b); }
  bool number_integer(json::number_integer_t x) { return value(x); }
  bool number_unsigned(json::number_unsigned_t x) { return value(x); }
  bool number_float(json::number_float_t x, const json::string_t&) { return value(x); }
  bool string(json::string_t& s) { return value(std::move(s)); }
  bool binary(json::binary_t& b) { return value(json::binary(std::move(b))); }
  bool start_object(std::size_t) {
    frames_.push_back(Frame{place(json::object()), true, {}, {}});
    return true;
  }
  bool key(json::string_t& k) {
    Frame& f = frames_.back();
    const std::size_t at = *read_;
    const auto [it, fresh] = f.seen.emplace(k, at);
    f.key = k;
    if (!fresh)
      throw InputError(file_, path(), "each key once in an object",
                       "`" + k + "` twice: first at " + line_column(text_, it->second) +
                           ", again at " + line_column(text_, at),
                       "remove one; a JSON reader would keep only the last, silently");
    slot_ = &(*f.container)[k];
    return true;
  }
  bool end_object() {
    frames_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    frames_.push_back(Frame{place(json::array()), false, {}, {}});
    return true;
  }
  bool end_array() {
    frames_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string& token, const json::exception& e) {
    std::string where = line_column(text_, position > 0 ? position - 1 : 0);
    const std::string at = path();
    if (!at.empty()) where = at + " (" + where + ")";
    if (e.id == 406 || e.id == 407)  // out_of_range: a number beyond what a double holds
      throw InputError(file_, where, "a number within the range of a double (about ±1.8e308)",
                       "`" + token + "`");
    std::string what = e.what();
    const auto pos = what.find("syntax error");
    if (pos != std::string::npos) what = what.substr(pos);
    throw JsonSyntaxError(file_, where, "valid JSON", what);
  }

 private:
  struct Frame {
    json* container;
    bool object;
    std::string key;                              // objects: the key being read
    std::map<std::string, std::size_t> seen;      // objects: key -> where it was read
  };

  /// Where the value being read sits: dotted keys and [index] for arrays.
  std::string path() const {
    std::string p;
    for (const Frame& f : frames_) {
      const bool innermost = &f == &frames_.back();
      if (f.object) {
        if (f.key.empty() && f.seen.empty()) break;  // no key read yet
        p += (p.empty() ? "" : ".") + f.key;
      } else {
        // The element being read: the last one placed, or (innermost) the next one.
        const std::size_t n = f.container->size();
        p += "[" + std::to_string(innermost ? n : (n == 0 ? 0 : n - 1)) + "]";
      }
    }
    return p;
  }

  json* place(json v) {
    if (frames_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Frame& f = frames_.back();
    if (!f.object) {
      f.container->push_back(std::move(v));
      return &f.container->back();
    }
    *slot_ = std::move(v);
    return slot_;
  }
  template <class V>
  bool value(V&& v) {
    place(json(std::forward<V>(v)));
    return true;
  }

  json& root_;
  const std::string& text_;
  const std::string& file_;
  const std::size_t* read_;
  std::vector<Frame> frames_;
  json* slot_ = nullptr;
};

json parse_strict(const std::string& text, const std::string& file) {
  json doc;
  std::size_t read = 0;
  StrictDomBuilder builder(doc, text, file, &read);
  const TrackingIterator first(text.data(), text.data(), &read);
  const TrackingIterator last(text.data() + text.size(), text.data(), &read);
  json::sax_parse(first, last, &builder);
  return doc;
}

}  // namespace

json parse_json_text(const std::string& text, const std::string& file) {
  // A results file given where JSON belongs (`orgsim check results.h5`): say what it is, not
  // that its first byte (0x89) is not JSON.
  static const std::string kHdf5Signature("\x89HDF\r\n\x1a\n", 8);
  if (text.compare(0, kHdf5Signature.size(), kHdf5Signature) == 0)
    throw InputError(file, "", "a JSON scenario or sweep file",
                     "an HDF5 file (it starts with HDF5's signature), such as an orgsim results "
                     "file",
                     "`orgsim summarize " + file + "` prints a results file's summary");
  return parse_strict(text, file);
}

void set_parameter(json& flat, const std::string& key, const json& value, const std::string& file,
                   const std::string& where) {
  // Keys are dotted snake_case names; any other character (`~`, `/`, a space) would reach the
  // JSON-pointer handling below, so it is refused here, naming the key.
  bool well_formed = !key.empty() && key.front() != '.' && key.back() != '.' &&
                     key.find("..") == std::string::npos;
  for (const char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) well_formed = false;
  if (!well_formed)
    throw InputError(file, where,
                     "a dotted parameter key: names of letters, digits and '_' joined by '.' "
                     "(e.g. population.threshold.value)",
                     json(key).dump());
  if (const ParamSpec* spec = find_param(key)) {
    flat[key] = validate_value(*spec, completed(*spec, value, flat, key), file, where);
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
    // A sub-key switching kind (e.g. ".distribution") keeps the other keys; validation names them.
    if (!obj.is_object()) obj = json::object();
    // An index into an array may name an element or the next one (appending), nothing further:
    // nlohmann fills a gap with nulls, so `values.1000000000` would allocate gigabytes and an
    // index near 10^18 throws std::length_error from the vector. A part of the path that does not
    // exist yet is created, as an array when its index is a number: then the index must be 0.
    const json* node = &obj;
    std::string walked = head;
    for (std::size_t from = dot + 1; from <= key.size();) {
      const std::size_t end = std::min(key.find('.', from), key.size());
      const std::string token = key.substr(from, end - from);
      if (node && !node->is_object() && !node->is_array()) break;  // the pointer refuses it below
      const bool number = std::all_of(token.begin(), token.end(),
                                      [](char c) { return c >= '0' && c <= '9'; });
      if (number && (!node || node->is_array())) {
        const std::size_t size = node ? node->size() : 0;
        std::uint64_t index = 0;
        const auto res = std::from_chars(token.data(), token.data() + token.size(), index);
        // A leading zero is not an index: the pointer's own check refuses it below.
        if (token.size() > 1 && token.front() == '0') break;
        if (res.ec == std::errc::result_out_of_range || index > size)
          throw InputError(file, where,
                           node ? "an index into `" + walked + "` of at most " +
                                      std::to_string(size) + " (it has " + std::to_string(size) +
                                      (size == 1 ? " element" : " elements") +
                                      "; the index after the last appends one)"
                                : "the index 0 (`" + walked + "` is not set, so an array "
                                  "created there starts with element 0)",
                           "`" + token + "` in `" + key + "`");
        node = index < size ? &(*node)[index] : nullptr;
      } else if (node && node->is_object() && node->contains(token)) {
        node = &(*node)[token];
      } else {
        node = nullptr;  // created by the assignment below
      }
      walked += "." + token;
      from = end + 1;
    }
    try {
      obj[json::json_pointer(pointer)] = value;
    } catch (const json::exception&) {
      throw InputError(file, where, "a path into the object at `" + head + "`", "`" + key + "`");
    }
    try {
      flat[head] = validate_value(*spec, obj, file, head);
    } catch (const InputError& e) {
      // The caller's place (`--set`, a design's parameter, an arm's set) names where the value
      // was written; the path inside the object follows when it is another key's.
      if (where == key) throw;
      throw InputError(e.file(), where + (e.where() == key ? "" : " (at " + e.where() + ")"),
                       e.expected(), e.found(), e.hint());
    }
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
  // A command-line argument is bytes, not JSON text the parser has checked: a value that is not
  // valid JSON becomes a string as written, and a JSON string must be UTF-8 (nlohmann refuses to
  // write out anything else, in a message or in a results file). So the whole argument must be.
  if (const std::size_t bad = first_invalid_utf8(arg); bad != std::string::npos) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(arg[bad]));
    const std::string shown = escape_invalid_utf8(arg);
    const auto eq = arg.find('=');
    throw InputError("--set", eq == std::string::npos ? shown : escape_invalid_utf8(arg.substr(0, eq)),
                     "key=value in UTF-8",
                     std::string("the byte ") + byte + " (not UTF-8) at byte " +
                         std::to_string(bad + 1) + " of `" + shown + "`");
  }
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("--set", arg, "key=value (e.g. population.size=500)", "`" + arg + "`");
  std::string key = arg.substr(0, eq);
  std::string text = arg.substr(eq + 1);
  json value;
  try {
    value = parse_strict(text, "--set " + arg);
  } catch (const JsonSyntaxError&) {
    value = text;  // a bare word: treat as a string (e.g. network.type=complete)
  } catch (const InputError& e) {
    // A number beyond the double range, a key given twice: name the argument.
    throw InputError("--set", key, e.expected(), e.found() + " in `" + arg + "`", e.hint());
  }
  return {key, value};
}

namespace {

/// The --set arguments (one per key: resolve refuses a key set twice) that every arm overrides,
/// as warnings: an arm's own `set` comes after --set, so such a --set changes no run. An arm
/// overrides key `k` when it sets `k` or the object holding it (`population.threshold` for
/// `...threshold.mean`).
std::vector<std::string> overridden_sets(const std::vector<std::string>& sets,
                                         const std::vector<Arm>& arms) {
  std::vector<std::pair<std::string, std::string>> last;  // key, argument; first-seen order
  for (const auto& arg : sets) {
    const std::string key = arg.substr(0, arg.find('='));
    const auto it =
        std::find_if(last.begin(), last.end(), [&](const auto& kv) { return kv.first == key; });
    if (it == last.end()) {
      last.emplace_back(key, arg);
    } else {
      it->second = arg;
    }
  }
  std::vector<std::string> out;
  std::string names;
  for (const auto& arm : arms) names += (names.empty() ? "" : ", ") + arm.name;
  for (const auto& [key, arg] : last) {
    const bool every = std::all_of(arms.begin(), arms.end(), [&, &key = key](const Arm& arm) {
      for (auto it = arm.overrides.begin(); it != arm.overrides.end(); ++it)
        if (it.key() == key || key.compare(0, it.key().size() + 1, it.key() + ".") == 0)
          return true;
      return false;
    });
    if (every)
      out.push_back("--set " + arg + " is overridden by " +
                    (arms.size() == 1 ? "the only arm (" : "every arm (") + names +
                    "); an arm's own \"set\" comes after --set");
  }
  return out;
}

Scenario resolve(const json& doc, const std::string& file, const std::string& dir,
                 const std::string& id, std::string raw_text,
                 const std::vector<std::string>& sets) {
  if (!doc.is_object()) throw InputError(file, "(top level)", "a JSON object", json_value_text(doc));
  // A sweep file given where a scenario belongs: say so, instead of listing every scenario key.
  if (doc.contains("design"))
    throw InputError(file, "design", "a scenario file (no key `design`)",
                     "the key `design` of a sweep file",
                     "this looks like a sweep file (it has `design`): run it with `orgsim sweep " +
                         file + "`, or orgsim.sweep in Python");
  Scenario sc;
  sc.file = file;
  sc.dir = dir;
  sc.raw_text = std::move(raw_text);
  sc.base = default_parameters();
  for (const auto& spec : parameter_table()) sc.origin[spec.key] = "default";
  Resolution r(sc.base, sc.origin, sc.bases);
  apply_document(doc, Layer{file, "file", false, dir, fs::path(file).parent_path().string()}, id,
                 r);
  // A key given twice is an error, as in a JSON file: the second would silently replace the first.
  std::map<std::string, std::string> seen;  // key -> its argument
  for (const auto& s : sets) {
    auto [key, value] = parse_set_argument(s);
    if (const auto [it, fresh] = seen.emplace(key, s); !fresh)
      throw InputError("--set", key, "each key set at most once (as in a JSON file)",
                       "`" + it->second + "` and `" + s + "`",
                       "keep one; --replicates N, --steps T and --seed S are --set replicates=N, "
                       "steps=T and seed=S");
    set_parameter(sc.base, key, value, "--set", key);
    sc.origin[table_key_of(key)] = "--set";
  }
  const json none = json::object();
  const std::string arms_file = r.has_arms ? r.arms_file : file;
  sc.arms = parse_arms(r.has_arms ? json{{"arms", r.arms}} : none, arms_file);
  for (std::size_t i = 0; i < sc.arms.size(); ++i) {
    json flat = sc.base;
    auto origin = sc.origin;
    const auto& ov = sc.arms[i].overrides;
    for (auto it = ov.begin(); it != ov.end(); ++it) {
      set_parameter(flat, it.key(), *it, arms_file,
                    "arms[" + std::to_string(i) + "].set." + it.key());
      origin[table_key_of(it.key())] = "arm " + sc.arms[i].name;
    }
    sc.arm_params.push_back(std::move(flat));
    sc.arm_origin.push_back(std::move(origin));
  }
  sc.warnings = overridden_sets(sets, sc.arms);
  sc.discussion = std::move(r.discussion);
  sc.try_this = std::move(r.try_this);
  // A thing to try must be something a trainer can run: its values pass as `--set` values would,
  // on the scenario as resolved, and each changes some arm (one every arm sets itself would
  // change nothing, as such a --set does).
  for (std::size_t i = 0; i < sc.try_this.size(); ++i) {
    json flat = sc.base;
    const json& set = sc.try_this[i].set;
    for (auto it = set.begin(); it != set.end(); ++it) {
      const std::string where = "try[" + std::to_string(i) + "].set." + it.key();
      set_parameter(flat, it.key(), *it, r.notes_file, where);
      if (!overridden_sets({it.key() + "=" + it->dump()}, sc.arms).empty())
        throw InputError(r.notes_file, where, "a parameter some arm takes from the scenario",
                         sc.arms.size() == 1 ? "the only arm sets it itself"
                                             : "every arm sets it itself");
    }
  }
  sc.name = sc.base.at("name").get<std::string>();  // never inherited from a base
  if (sc.name.empty()) sc.name = fs::path(file).stem().string();
  if (sc.name.empty()) sc.name = "scenario";
  read_edge_lists(sc);
  return sc;
}

}  // namespace

Scenario scenario_from_json(const json& doc, const std::string& file, const std::string& dir,
                            std::string raw_text, const std::vector<std::string>& sets) {
  return resolve(doc, file, dir, "", std::move(raw_text), sets);
}

bool is_scenario_key(const std::string& key) {
  const auto keys = children_of("");
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& sets) {
  std::string text = read_input_file(path, "scenario file");
  json doc = parse_json_text(text, path);
  auto dir = fs::absolute(path).parent_path().string();
  std::error_code ec;
  std::string id = fs::weakly_canonical(fs::absolute(path), ec).string();
  if (ec) id = fs::absolute(path).lexically_normal().string();
  return resolve(doc, path, dir, id, std::move(text), sets);
}

}  // namespace orgsim
