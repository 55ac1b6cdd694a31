#include "model/config.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "core/errors.hpp"
#include "core/names.hpp"
#include "core/text.hpp"
#include "model/parameters.hpp"

namespace orgsim {

using nlohmann::json;

namespace {

/// A key named in a cross-field rule's message: it must be one of the table's (checked, so a
/// renamed parameter cannot leave a message pointing at a key that no longer exists).
const std::string& key(const std::string& k) {
  const ParamSpec* p = find_param(k);
  if (!p) throw std::logic_error("parameter '" + k + "' is not in the table");
  return p->key;
}

const char* dist_kind_name(DistKind k) {
  switch (k) {
    case DistKind::constant: return "constant";
    case DistKind::uniform: return "uniform";
    case DistKind::normal: return "normal";
    case DistKind::beta: return "beta";
    case DistKind::quantiles: return "quantiles";
    case DistKind::linspace: return "linspace";
    case DistKind::values: return "values";
  }
  return "?";
}

Distribution read_distribution(const json& v, const BindContext& ctx) {
  return parse_distribution(v, ctx.file, ctx.spec.key, Range{ctx.spec.min, ctx.spec.max});
}

/// The seed set against the population, on the JSON values as written (64-bit, before any
/// narrowing to the int32 agent ids): 2^31 or 2^32 + 7 must be refused, not wrapped to a negative
/// id or to agent 7. Run wherever the final population.size is known (per arm, per sweep point).
void check_seed_set(const json& flat, const std::string& file) {
  const json& size_value = flat.at(key("population.size"));
  const json& seed = flat.at(key("actions.seed"));
  if (!seed.is_object() || !size_value.is_number_integer()) return;  // validated at load
  const std::int64_t n = size_value.get<std::int64_t>();
  const std::string n_text = "population.size = " + std::to_string(n);
  const std::string path = key("actions.seed");
  // A JSON integer as written, in [0, n) (or [0, n] for a count); `found` text otherwise.
  auto within = [&](const json& v, bool inclusive) {
    if (v.is_number_unsigned()) {
      const auto x = v.get<std::uint64_t>();
      return inclusive ? x <= static_cast<std::uint64_t>(n) : x < static_cast<std::uint64_t>(n);
    }
    if (v.is_number_integer()) {
      const auto x = v.get<std::int64_t>();
      return x >= 0 && (inclusive ? x <= n : x < n);
    }
    return false;
  };
  // The form of the set is parse_seed_set's to check (actions.seed's binding calls it); only the
  // bounds that depend on the population are checked here.
  if (seed.contains("agents") && seed.at("agents").is_array()) {
    const json& ids = seed.at("agents");
    for (std::size_t i = 0; i < ids.size(); ++i)
      if (!within(ids[i], false))
        throw InputError(file, path + ".agents[" + std::to_string(i) + "]",
                         "an integer agent id in [0, " + std::to_string(n) + ") (" + n_text + ")",
                         ids[i].dump());
  }
  if (seed.contains("random") && !within(seed.at("random"), true))
    throw InputError(file, path + ".random",
                     "a number of agents in [0, " + std::to_string(n) + "] (" + n_text + ")",
                     seed.at("random").dump());
}

}  // namespace

// ---- the seed set ---------------------------------------------------------------------------

SeedSpec parse_seed_set(const json& v, const std::string& file, const std::string& path) {
  std::vector<std::string> rungs;  // quoted: "supporter", "member", "leader"
  std::string rung_forms;          // "supporter"|"member"|"leader"
  for (const char* r : kLadderRungNames) {
    rungs.push_back(json(r).dump());
    rung_forms += (rung_forms.empty() ? "" : "|") + rungs.back();
  }
  const std::string forms =
      "a seed set {\"random\": k}, {\"fraction\": f}, {\"agents\": [ids], \"with_neighbors\": "
      "bool} or {\"rung\": " +
      rung_forms + "}";
  if (!v.is_object()) throw InputError(file, path, forms, json_value_text(v));
  // A whole number written 3.0 (a sweep's design value, a rerun) counts as the integer 3.
  const auto integral = [](const json& x) {
    return x.is_number_integer() ||
           (x.is_number_float() && std::isfinite(x.get<double>()) &&
            std::floor(x.get<double>()) == x.get<double>() && x.get<double>() < 9e15);
  };
  int kinds = 0;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& k = it.key();
    const std::string sub = path + "." + k;
    if (k == "random") {
      ++kinds;
      if (!integral(*it) || it->get<double>() < 0)
        throw InputError(file, sub, "a non-negative integer number of agents",
                         json_value_text(*it));
    } else if (k == "fraction") {
      ++kinds;
      if (!it->is_number() || !(it->get<double>() >= 0 && it->get<double>() <= 1))
        throw InputError(file, sub, "a number in [0, 1]", json_value_text(*it));
    } else if (k == "agents") {
      ++kinds;
      if (!it->is_array())
        throw InputError(file, sub, "an array of agent ids", json_value_text(*it));
      for (std::size_t i = 0; i < it->size(); ++i) {
        const json& id = (*it)[i];
        if (!integral(id) || id.get<double>() < 0)
          throw InputError(file, sub + "[" + std::to_string(i) + "]",
                           "a non-negative integer agent id", json_value_text(id));
      }
    } else if (k == "rung") {
      ++kinds;
      const auto& names = kLadderRungNames;
      if (!it->is_string() ||
          std::find(names.begin(), names.end(), it->get<std::string>()) == names.end())
        throw InputError(file, sub, "one of " + join_or(rungs),
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
  SeedSpec s;
  if (v.contains("random")) {
    s.kind = SeedSpec::Kind::random;
    s.count = v["random"].get<std::int64_t>();  // a count written 3.0 reads as 3
  } else if (v.contains("fraction")) {
    s.kind = SeedSpec::Kind::fraction;
    s.fraction = v["fraction"].get<double>();
  } else if (v.contains("rung")) {
    s.kind = SeedSpec::Kind::rung;
    s.rung_name = ladder_rung_from_name(v["rung"].get<std::string>());
  } else {
    s.kind = SeedSpec::Kind::agents;
    // Agent ids are 32-bit. One of 2^31 - 1 or more names no agent of any population: it is
    // held at 2^31 - 1 here (no narrowing of an out-of-range value), and check_seed_set refuses
    // it against population.size, with the id as written, before make_config uses the spec.
    for (const auto& id : v["agents"]) {
      const double x = id.get<double>();
      s.agents.push_back(x < 2147483647.0 ? static_cast<std::int32_t>(x) : 2147483647);
    }
    s.with_neighbors = v.value("with_neighbors", false);
  }
  return s;
}

// ---- reading one value ---------------------------------------------------------------------

void read_value(const json& v, const BindContext&, double& out) { out = v.get<double>(); }
void read_value(const json& v, const BindContext&, std::int32_t& out) {
  out = v.get<std::int32_t>();
}
void read_value(const json& v, const BindContext&, std::int64_t& out) {
  out = v.get<std::int64_t>();
}
void read_value(const json& v, const BindContext&, std::uint64_t& out) {
  out = v.get<std::uint64_t>();
}
void read_value(const json& v, const BindContext&, std::string& out) {
  out = v.get<std::string>();
}
void read_value(const json& v, const BindContext&, NetworkType& out) {
  out = network_type_from_name(v.get<std::string>());
}
void read_value(const json& v, const BindContext&, RewireMethod& out) {
  out = rewire_method_from_name(v.get<std::string>());
}
void read_value(const json& v, const BindContext&, ThresholdRule& out) {
  out = threshold_rule_from_name(v.get<std::string>());
}
void read_value(const json& v, const BindContext&, UpdateOrder& out) {
  out = update_order_from_name(v.get<std::string>());
}
void read_value(const json& v, const BindContext&, Attempts& out) {
  out = attempts_from_name(v.get<std::string>());
}
void read_value(const json& v, const BindContext&, Strategy& out) {
  out = strategy_from_name(v.get<std::string>());
}
void read_value(const json& v, const BindContext&, Targeting& out) {
  out = targeting_from_name(v.get<std::string>());
}
void read_value(const json& v, const BindContext&, ActionPolicy& out) {
  out = policy_from_name(v.get<std::string>());
}
void read_value(const json& v, const BindContext&, ActionKind& out) {
  out = action_kind_from_name(v.get<std::string>());
}
void read_value(const json& v, const BindContext&, Assessment& out) {
  out = assessment_from_name(v.get<std::string>());
}
void read_value(const json& v, const BindContext&, Ballot& out) {
  out = ballot_from_name(v.get<std::string>());
}
void read_value(const json& v, const BindContext& ctx, SeedSpec& out) {
  out = parse_seed_set(v, ctx.file, ctx.spec.key);
}

// ---- bindings that need more than a member ------------------------------------------------

ParamBinding bind_allocation(Activity a) {
  return [a](ConfigDraft& d, const json& v, const BindContext& c) {
    read_value(v, c, d.allocation[static_cast<std::size_t>(a)]);
  };
}

ParamBinding bind_agent_distribution(Distribution ModelConfig::*m) {
  return [m](ConfigDraft& d, const json& v, const BindContext& c) {
    d.cfg.*m = read_distribution(v, c);
    if ((d.cfg.*m).kind == DistKind::values)
      d.agent_values.emplace_back(c.spec.key, (d.cfg.*m).values.size());
  };
}

ParamBinding bind_threshold() {
  const ParamBinding agent = bind_agent_distribution(&ModelConfig::threshold);
  return [agent](ConfigDraft& d, const json& v, const BindContext& c) {
    agent(d, v, c);
    d.cfg.threshold_range = Range{c.spec.min, c.spec.max};
  };
}

ParamBinding bind_tie_distribution(Distribution ModelConfig::*m) {
  return [m](ConfigDraft& d, const json& v, const BindContext& c) {
    d.cfg.*m = read_distribution(v, c);
    if ((d.cfg.*m).population_level())
      throw InputError(c.file, c.spec.key + ".distribution",
                       "constant, uniform, normal or beta (one draw per tie)",
                       json(dist_kind_name((d.cfg.*m).kind)).dump());
  };
}

ParamBinding bind_network_path() {
  return [](ConfigDraft& d, const json& v, const BindContext& c) {
    const std::string p = v.get<std::string>();
    const std::filesystem::path fp(p);
    d.cfg.network.path_for_errors = p;
    d.cfg.network.path =
        p.empty() || fp.is_absolute() ? p : (std::filesystem::path(c.dir) / fp).string();
  };
}

ParamBinding bind_network_file(std::string NetworkSpec::*resolved,
                               std::string NetworkSpec::*shown) {
  return [resolved, shown](ConfigDraft& d, const json& v, const BindContext& c) {
    const std::string p = v.get<std::string>();
    const std::filesystem::path fp(p);
    d.cfg.network.*shown = p;
    d.cfg.network.*resolved =
        p.empty() || fp.is_absolute() ? p : (std::filesystem::path(c.dir) / fp).string();
  };
}

ParamBinding bind_rounds(std::int32_t ModelConfig::*m) {
  return [m](ConfigDraft& d, const json& v, const BindContext&) {
    d.cfg.*m = v.is_string() ? 0 : v.get<std::int32_t>();  // "until_stable"
  };
}

// ---- names ----------------------------------------------------------------------------------

NetworkType network_type_from_name(const std::string& s) {
  return static_cast<NetworkType>(name_index(kNetworkTypeNames, s, "network type"));
}
RewireMethod rewire_method_from_name(const std::string& s) {
  return static_cast<RewireMethod>(name_index(kRewireMethodNames, s, "rewire method"));
}
ThresholdRule threshold_rule_from_name(const std::string& s) {
  return static_cast<ThresholdRule>(name_index(kThresholdRuleNames, s, "threshold rule"));
}
UpdateOrder update_order_from_name(const std::string& s) {
  return static_cast<UpdateOrder>(name_index(kUpdateOrderNames, s, "update order"));
}
Attempts attempts_from_name(const std::string& s) {
  return static_cast<Attempts>(name_index(kAttemptsNames, s, "contagion attempts"));
}
LadderRung ladder_rung_from_name(const std::string& s) {
  return static_cast<LadderRung>(name_index(kLadderRungNames, s, "ladder rung"));
}

const char* network_type_name(NetworkType t) {
  return kNetworkTypeNames[static_cast<std::size_t>(t)];
}
const char* rewire_method_name(RewireMethod m) {
  return kRewireMethodNames[static_cast<std::size_t>(m)];
}
const char* threshold_rule_name(ThresholdRule r) {
  return kThresholdRuleNames[static_cast<std::size_t>(r)];
}
const char* update_order_name(UpdateOrder u) {
  return kUpdateOrderNames[static_cast<std::size_t>(u)];
}
const char* attempts_name(Attempts a) { return kAttemptsNames[static_cast<std::size_t>(a)]; }
const char* ladder_rung_name(LadderRung r) { return kLadderRungNames[static_cast<std::size_t>(r)]; }

// ---- the config ----------------------------------------------------------------------------

namespace {
/// network.type = roster: reads the roster (and the friendships) while the scenario is loaded,
/// once per `rosters` cache when one is given; errors name the scenario file, the JSON path, the
/// CSV file and its line.
void load_roster(ModelConfig& c, const std::string& file, RosterCache* rosters) {
  auto& net = c.network;
  if (net.roster_path.empty())
    throw InputError(file, "network.roster",
                     "the path of a CSV roster (name,department,shift,role[,leader]) for "
                     "network.type = roster",
                     "no path");
  const auto rethrow = [&](const InputError& e, const char* key, const std::string& written,
                           const char* what) {
    const std::string at = e.where().empty() ? written : written + " " + e.where();
    throw InputError(file, key, e.expected() + " in the " + what, e.found() + " (" + at + ")",
                     e.hint());
  };
  const auto check_size = [&](const Roster& roster) {
    if (roster.size() != c.n)
      throw InputError(file, "population.size",
                       "the number of people on the roster (" + net.roster_path_for_errors +
                           "): " + std::to_string(roster.size()),
                       std::to_string(c.n));
  };
  const auto read = [&]() -> std::shared_ptr<const Roster> {
    auto roster = std::make_shared<Roster>();
    try {
      *roster = read_roster_file(net.roster_path, net.roster_path_for_errors);
    } catch (const InputError& e) {
      rethrow(e, "network.roster", net.roster_path_for_errors, "roster");
    }
    check_size(*roster);  // before the friendships, whose errors come second
    if (!net.friendships_path.empty()) {
      try {
        read_friendships_file(net.friendships_path, net.friendships_path_for_errors, *roster);
      } catch (const InputError& e) {
        rethrow(e, "network.friendships", net.friendships_path_for_errors, "friendships file");
      }
    }
    return roster;
  };
  std::shared_ptr<const Roster> roster =
      rosters ? rosters->get(net.roster_path, net.friendships_path, read) : read();
  check_size(*roster);  // a kept roster against this config's population.size
  net.friendship_trust = c.friendship_level;
  net.roster = std::move(roster);
}
}  // namespace

std::shared_ptr<const Roster> RosterCache::get(
    const std::string& roster_path, const std::string& friendships_path,
    const std::function<std::shared_ptr<const Roster>()>& read) {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto key = std::make_pair(roster_path, friendships_path);
  if (const auto it = rosters_.find(key); it != rosters_.end()) return it->second;
  ++reads_;
  std::shared_ptr<const Roster> roster = read();  // an error keeps nothing
  rosters_.emplace(key, roster);
  return roster;
}

std::size_t RosterCache::reads() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return reads_;
}

ModelConfig make_config(const json& flat, const std::string& file, const std::string& dir,
                        RosterCache* rosters) {
  // Every row reads its own key, once.
  check_seed_set(flat, file);
  ConfigDraft d;
  for (const ParamSpec& p : parameter_table()) {
    const auto it = flat.find(p.key);
    if (it == flat.end())
      throw std::logic_error("make_config: the parameter map lacks '" + p.key + "'");
    if (!p.bind) throw std::logic_error("parameter '" + p.key + "' has no binding");
    p.bind(d, *it, BindContext{p, file, dir});
  }
  ModelConfig& c = d.cfg;
  const std::string n_text = "population.size = " + std::to_string(c.n);

  // Per-agent values: one per agent.
  for (const auto& [k, count] : d.agent_values)
    if (static_cast<std::int64_t>(count) != c.n)
      throw InputError(file, k + ".values",
                       std::to_string(c.n) + " values (one per agent: " + n_text + ")",
                       std::to_string(count) + " values");

  // Network: every check the generator makes before it draws (degrees in range, departments
  // that fit, a lattice that admits swaps), here, so that an impossible network stops the
  // scenario at load (`check`, `run`, every sweep point) rather than a run.
  auto& net = c.network;
  try {
    check_network_spec(net, c.n);
  } catch (const InputError& e) {
    throw e.with_file(file);
  }
  switch (net.type) {
    case NetworkType::edge_list:
      if (net.path.empty())
        throw InputError(file, key("network.path"),
                         "the path of a CSV edge list for network.type = edge_list", "no path");
      break;
    case NetworkType::roster:
      load_roster(c, file, rosters);
      break;
    default:
      break;
  }
  if (net.type != NetworkType::edge_list) {  // a path is read only for edge lists
    net.path.clear();
    net.path_for_errors.clear();
  }
  if (net.type != NetworkType::roster) {  // the roster files are read only for rosters
    net.roster_path.clear();
    net.roster_path_for_errors.clear();
    net.friendships_path.clear();
    net.friendships_path_for_errors.clear();
  }

  // Trust.
  if (net.type == NetworkType::complete && c.trust_initial.kind != DistKind::constant)
    throw InputError(file, key("trust.initial") + ".distribution",
                     "constant for network.type = complete (mean-field keeps no per-tie trust)",
                     json(dist_kind_name(c.trust_initial.kind)).dump());

  // Participation.
  if (c.update == UpdateOrder::random_sequential) {
    if (c.contagion_probability > 0)
      throw InputError(file, key("participation.update"),
                       "synchronous when participation.contagion.probability > 0 "
                       "(random_sequential updates the threshold channel only)",
                       "\"random_sequential\"");
    if (c.rule == ThresholdRule::off)
      throw InputError(file, key("participation.update"),
                       "synchronous when participation.threshold_rule = off",
                       "\"random_sequential\"");
  }

  // The engagement ladder.
  if (!(c.ladder_supporter <= c.ladder_member && c.ladder_member <= c.ladder_leader))
    throw InputError(file, "ladder", "cut points in order: supporter <= member <= leader",
                     "supporter " + json(c.ladder_supporter).dump() + ", member " +
                         json(c.ladder_member).dump() + ", leader " + json(c.ladder_leader).dump());

  // Person types: two shares of one population.
  if (c.types.selfish + c.types.selfless > 1.0)
    throw InputError(file, "types", "types.selfish + types.selfless <= 1 (the rest are self-interested)",
                     "selfish " + json(c.types.selfish).dump() + ", selfless " +
                         json(c.types.selfless).dump());

  // Campaign: the strategy's preset, overridden field by field.
  const StrategyPreset pre = preset(c.strategy);
  double total = 0;
  for (std::size_t a = 0; a < c.allocation.size(); ++a) {
    c.allocation[a] = d.allocation[a].value_or(pre.allocation[a]);
    total += c.allocation[a];
  }
  if (total > 0)
    for (auto& share : c.allocation) share /= total;  // shares are relative
  c.targeting = d.targeting.value_or(pre.targeting);
  if (c.strategy != Strategy::none && net.type == NetworkType::complete)
    throw InputError(file, key("campaign.strategy"),
                     "none for network.type = complete (organizing works along ties, and the "
                     "mean-field graph stores none)",
                     json(flat.at(key("campaign.strategy"))).dump());
  if (c.strategy == Strategy::none) c.staff_organizers = c.worker_organizers = 0;
  if (c.worker_organizers > c.n)
    throw InputError(file, key("campaign.worker_organizers"), "at most " + n_text,
                     std::to_string(c.worker_organizers));

  // Actions.
  c.policy = d.policy.value_or(pre.policy);
  if (c.kind == ActionKind::election && c.policy == ActionPolicy::continuous)
    throw InputError(file, key("actions.policy"),
                     "a policy that calls one vote at a time (schedule, hot, readiness, "
                     "ready_and_hot or never) when actions.kind is \"election\"",
                     "\"continuous\"");
  if (c.seed_set.kind == SeedSpec::Kind::rung) {
    switch (c.seed_set.rung_name) {
      case LadderRung::supporter: c.seed_set.rung = c.ladder_supporter; break;
      case LadderRung::member: c.seed_set.rung = c.ladder_member; break;
      case LadderRung::leader: c.seed_set.rung = c.ladder_leader; break;
    }
  }
  // The seed set was checked against population.size before binding (check_seed_set).
  return std::move(d.cfg);
}

double expected_entries(const ModelConfig& c) {
  const double n = c.n;
  switch (c.network.type) {
    case NetworkType::erdos_renyi: return n * c.network.mean_degree;
    case NetworkType::ring_lattice:
    case NetworkType::watts_strogatz: return n * c.network.degree;
    case NetworkType::barabasi_albert: return 2.0 * n * c.network.m;
    case NetworkType::workplace: return n * (c.network.within_degree + c.network.between_degree);
    case NetworkType::complete: return 0.0;
    case NetworkType::roster:
      return static_cast<double>(n) * std::max(0.0, n - 1.0) *
             std::max({c.network.roster_chances.same_shift, c.network.roster_chances.other_shift,
                       c.network.roster_chances.across});
    case NetworkType::edge_list: {
      std::error_code ec;
      const auto bytes = std::filesystem::file_size(c.network.path, ec);
      return ec ? 0.0 : static_cast<double>(bytes) / 4.0;  // >= 4 bytes per line "a,b\n"
    }
  }
  return 0.0;
}

}  // namespace orgsim
