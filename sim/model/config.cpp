#include "model/config.hpp"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "core/errors.hpp"
#include "model/parameters.hpp"

namespace orgsim {

using nlohmann::json;

namespace {

const json& get(const json& flat, const std::string& key) {
  if (!find_param(key)) throw std::logic_error("parameter '" + key + "' is not in the table");
  return flat.at(key);
}
double num(const json& flat, const std::string& key) { return get(flat, key).get<double>(); }
std::int64_t integer(const json& flat, const std::string& key) {
  return get(flat, key).get<std::int64_t>();
}
std::string str(const json& flat, const std::string& key) {
  return get(flat, key).get<std::string>();
}
Range range_of(const std::string& key) {
  const ParamSpec* p = find_param(key);
  return Range{p->min, p->max};
}

Distribution agent_dist(const json& flat, const std::string& key, const std::string& file,
                        std::int32_t n) {
  Distribution d = parse_distribution(get(flat, key), file, key, range_of(key));
  if (d.kind == DistKind::values && static_cast<std::int64_t>(d.values.size()) != n)
    throw InputError(file, key + ".values",
                     std::to_string(n) + " values (one per agent: population.size = " +
                         std::to_string(n) + ")",
                     std::to_string(d.values.size()) + " values");
  return d;
}

SeedSpec seed_spec(const json& j) {
  SeedSpec s;
  if (j.contains("random")) {
    s.kind = SeedSpec::Kind::random;
    s.count = j["random"].get<std::int64_t>();
  } else if (j.contains("fraction")) {
    s.kind = SeedSpec::Kind::fraction;
    s.fraction = j["fraction"].get<double>();
  } else if (j.contains("rung")) {
    s.kind = SeedSpec::Kind::rung;
  } else {
    s.kind = SeedSpec::Kind::agents;
    for (const auto& id : j["agents"]) s.agents.push_back(id.get<std::int32_t>());
    s.with_neighbors = j.value("with_neighbors", false);
  }
  return s;
}

NetworkType network_type(const std::string& s) {
  if (s == "erdos_renyi") return NetworkType::erdos_renyi;
  if (s == "ring_lattice") return NetworkType::ring_lattice;
  if (s == "watts_strogatz") return NetworkType::watts_strogatz;
  if (s == "barabasi_albert") return NetworkType::barabasi_albert;
  if (s == "complete") return NetworkType::complete;
  if (s == "edge_list") return NetworkType::edge_list;
  return NetworkType::workplace;
}

}  // namespace

ModelConfig make_config(const json& flat, const std::string& file, const std::string& dir) {
  ModelConfig c;
  c.name = str(flat, "name");
  c.steps = static_cast<std::int32_t>(integer(flat, "steps"));
  c.replicates = integer(flat, "replicates");
  c.master_seed = get(flat, "seed").get<std::uint64_t>();
  c.n = static_cast<std::int32_t>(integer(flat, "population.size"));

  c.threshold_range = range_of("population.threshold");
  c.threshold = agent_dist(flat, "population.threshold", file, c.n);
  c.grievance = agent_dist(flat, "population.grievance", file, c.n);
  c.fear = agent_dist(flat, "population.fear", file, c.n);
  c.inoculation = agent_dist(flat, "population.inoculation", file, c.n);
  c.commitment = agent_dist(flat, "population.commitment", file, c.n);

  // Network.
  auto& net = c.network;
  net.type = network_type(str(flat, "network.type"));
  net.mean_degree = num(flat, "network.mean_degree");
  net.degree = static_cast<std::int32_t>(integer(flat, "network.degree"));
  net.rewire = num(flat, "network.rewire");
  net.rewire_method = str(flat, "network.rewire_method") == "swap" ? RewireMethod::swap
                                                                     : RewireMethod::endpoint;
  net.m = static_cast<std::int32_t>(integer(flat, "network.m"));
  net.departments = static_cast<std::int32_t>(integer(flat, "network.departments"));
  net.within_degree = num(flat, "network.within_degree");
  net.between_degree = num(flat, "network.between_degree");
  const std::string n_text = "population.size = " + std::to_string(c.n);
  switch (net.type) {
    case NetworkType::erdos_renyi:
      if (c.n > 1 && net.mean_degree > c.n - 1)
        throw InputError(file, "network.mean_degree",
                         "at most population.size - 1 = " + std::to_string(c.n - 1),
                         json(net.mean_degree).dump());
      break;
    case NetworkType::ring_lattice:
    case NetworkType::watts_strogatz:
      if (net.degree % 2 != 0)
        throw InputError(file, "network.degree", "an even number of ties (degree/2 on each side)",
                         std::to_string(net.degree));
      if (net.degree >= c.n)
        throw InputError(file, "network.degree", "less than " + n_text,
                         std::to_string(net.degree));
      break;
    case NetworkType::barabasi_albert:
      if (net.m >= c.n)
        throw InputError(file, "network.m", "less than " + n_text, std::to_string(net.m));
      break;
    case NetworkType::workplace: {
      if (net.departments > c.n)
        throw InputError(file, "network.departments", "at most " + n_text,
                         std::to_string(net.departments));
      const std::int64_t smallest = c.n / net.departments;
      if (smallest > 1 && net.within_degree > static_cast<double>(smallest - 1))
        throw InputError(file, "network.within_degree",
                         "at most the smallest department size - 1 = " +
                             std::to_string(smallest - 1),
                         json(net.within_degree).dump());
      if (net.departments == 1 && net.between_degree > 0)
        throw InputError(file, "network.between_degree",
                         "0 when there is a single department", json(net.between_degree).dump());
      break;
    }
    case NetworkType::edge_list: {
      const std::string p = str(flat, "network.path");
      if (p.empty())
        throw InputError(file, "network.path", "the path of a CSV edge list for network.type = edge_list",
                         "no path");
      std::filesystem::path fp(p);
      net.path = fp.is_absolute() ? p : (std::filesystem::path(dir) / fp).string();
      net.path_for_errors = p;
      break;
    }
    case NetworkType::complete:
      break;
  }

  // Trust.
  c.trust_initial = parse_distribution(get(flat, "trust.initial"), file, "trust.initial",
                                       range_of("trust.initial"));
  if (c.trust_initial.population_level())
    throw InputError(file, "trust.initial.distribution",
                     "constant, uniform, normal or beta (one draw per tie)",
                     get(flat, "trust.initial").at("distribution").dump());
  if (net.type == NetworkType::complete && c.trust_initial.kind != DistKind::constant)
    throw InputError(file, "trust.initial.distribution",
                     "constant for network.type = complete (mean-field keeps no per-tie trust)",
                     get(flat, "trust.initial").at("distribution").dump());
  c.trust_baseline = num(flat, "trust.baseline");

  // Participation.
  const std::string rule = str(flat, "participation.threshold_rule");
  c.rule = rule == "fraction" ? ThresholdRule::fraction
           : rule == "count"  ? ThresholdRule::count
                              : ThresholdRule::off;
  c.w_grievance = num(flat, "participation.weights.grievance");
  c.w_commitment = num(flat, "participation.weights.commitment");
  c.w_social = num(flat, "participation.weights.social");
  c.w_invitation = num(flat, "participation.weights.invitation");
  c.w_fear = num(flat, "participation.weights.fear");
  const json& rounds = get(flat, "participation.rounds");
  c.rounds = rounds.is_string() ? 0 : rounds.get<std::int32_t>();
  c.update = str(flat, "participation.update") == "random_sequential"
                 ? UpdateOrder::random_sequential
                 : UpdateOrder::synchronous;
  c.contagion_probability = num(flat, "participation.contagion.probability");
  c.attempts = str(flat, "participation.contagion.attempts") == "every_round" ? Attempts::every_round
                                                                              : Attempts::once;
  c.broadcast_reach = num(flat, "broadcast.reach");
  c.broadcast_conversion = num(flat, "broadcast.conversion");
  if (c.update == UpdateOrder::random_sequential) {
    if (c.contagion_probability > 0)
      throw InputError(file, "participation.update",
                       "synchronous when participation.contagion.probability > 0 "
                       "(random_sequential updates the threshold channel only)",
                       "\"random_sequential\"");
    if (c.rule == ThresholdRule::off)
      throw InputError(file, "participation.update",
                       "synchronous when participation.threshold_rule = off",
                       "\"random_sequential\"");
  }

  // Environment.
  c.climate.amplitude = num(flat, "environment.climate.amplitude");
  c.climate.period = num(flat, "environment.climate.period");
  c.climate.phase = num(flat, "environment.climate.phase");
  c.climate.shock_rate = num(flat, "environment.climate.shock_rate");
  c.climate.shock_size = num(flat, "environment.climate.shock_size");
  c.climate.shock_persistence = num(flat, "environment.climate.shock_persistence");
  c.turnover = num(flat, "environment.turnover");

  // The engagement ladder and trust.
  c.leadership = agent_dist(flat, "population.leadership", file, c.n);
  c.ladder_supporter = num(flat, "ladder.supporter");
  c.ladder_member = num(flat, "ladder.member");
  c.ladder_leader = num(flat, "ladder.leader");
  if (!(c.ladder_supporter <= c.ladder_member && c.ladder_member <= c.ladder_leader))
    throw InputError(file, "ladder",
                     "cut points in order: supporter <= member <= leader",
                     "supporter " + json(c.ladder_supporter).dump() + ", member " +
                         json(c.ladder_member).dump() + ", leader " + json(c.ladder_leader).dump());
  c.friendships = num(flat, "trust.friendships");
  c.friendship_level = num(flat, "trust.friendship_level");
  c.voice = num(flat, "trust.voice");

  // Campaign: the strategy's preset, overridden field by field.
  c.strategy = strategy_from_name(str(flat, "campaign.strategy"));
  const StrategyPreset pre = preset(c.strategy);
  double total = 0;
  for (int a = 0; a < kActivities; ++a) {
    const json& v = get(flat, std::string("campaign.allocation.") + kActivityNames[a]);
    c.allocation[a] = v.is_null() ? pre.allocation[a] : v.get<double>();
    total += c.allocation[a];
  }
  if (total > 0)
    for (auto& share : c.allocation) share /= total;  // shares are relative
  const json& targeting = get(flat, "campaign.targeting");
  c.targeting = targeting.is_null() ? pre.targeting : targeting_from_name(targeting.get<std::string>());
  if (c.strategy != Strategy::none && net.type == NetworkType::complete)
    throw InputError(file, "campaign.strategy",
                     "none for network.type = complete (organizing works along ties, and the "
                     "mean-field graph stores none)",
                     "\"" + str(flat, "campaign.strategy") + "\"");
  c.staff_organizers = static_cast<std::int32_t>(integer(flat, "campaign.staff_organizers"));
  c.worker_organizers = static_cast<std::int32_t>(integer(flat, "campaign.worker_organizers"));
  if (c.strategy == Strategy::none) c.staff_organizers = c.worker_organizers = 0;
  if (c.worker_organizers > c.n)
    throw InputError(file, "campaign.worker_organizers", "at most " + n_text,
                     std::to_string(c.worker_organizers));
  c.staff_hours = num(flat, "campaign.hours_per_step");
  c.worker_hours = num(flat, "campaign.worker_hours_per_step");
  c.skill = num(flat, "campaign.skill");
  c.one_on_one = {num(flat, "one_on_one.hours"),         num(flat, "one_on_one.trust_gain"),
                  num(flat, "one_on_one.agitation"),     num(flat, "one_on_one.inoculation"),
                  num(flat, "one_on_one.ask_base"),      num(flat, "one_on_one.ask_trust"),
                  num(flat, "one_on_one.ask_grievance"), num(flat, "one_on_one.ask_fear"),
                  num(flat, "one_on_one.ask_fatigue"),   num(flat, "one_on_one.commitment_gain")};
  c.issue_push = {num(flat, "issue_push.hours"), num(flat, "issue_push.agitation"),
                  num(flat, "issue_push.backfire_trust"), num(flat, "issue_push.backfire_fatigue"),
                  num(flat, "issue_push.backfire_commitment")};
  c.social = {num(flat, "social.hours"), static_cast<std::int32_t>(integer(flat, "social.attendees")),
              num(flat, "social.trust_gain")};
  c.follow_up = {num(flat, "follow_up.hours"), num(flat, "follow_up.uplift"),
                 num(flat, "follow_up.trust_gain")};
  c.training = {num(flat, "training.hours"),
                static_cast<std::int32_t>(integer(flat, "training.sessions")),
                num(flat, "training.potential")};
  c.messaging = {num(flat, "messaging.hours"),          num(flat, "messaging.reach"),
                 num(flat, "messaging.awareness_gain"), num(flat, "messaging.agitation"),
                 num(flat, "messaging.supporter_rate"), num(flat, "messaging.invitation")};

  // Actions.
  const json& policy = get(flat, "actions.policy");
  c.policy = policy.is_null() ? pre.policy : policy_from_name(policy.get<std::string>());
  c.first_action = static_cast<std::int32_t>(integer(flat, "actions.first"));
  c.action_every = static_cast<std::int32_t>(integer(flat, "actions.every"));
  c.min_gap = static_cast<std::int32_t>(integer(flat, "actions.min_gap"));
  c.hot_threshold = num(flat, "actions.hot_threshold");
  c.readiness = num(flat, "actions.readiness");
  c.seed_set = seed_spec(get(flat, "actions.seed"));
  if (c.seed_set.kind == SeedSpec::Kind::rung) {
    const auto r = get(flat, "actions.seed").at("rung").get<std::string>();
    c.seed_set.rung = r == "supporter" ? c.ladder_supporter
                      : r == "member"  ? c.ladder_member
                                       : c.ladder_leader;
  }
  if (c.seed_set.kind == SeedSpec::Kind::random && c.seed_set.count > c.n)
    throw InputError(file, "actions.seed.random", "at most " + n_text,
                     std::to_string(c.seed_set.count));
  for (std::size_t i = 0; i < c.seed_set.agents.size(); ++i)
    if (c.seed_set.agents[i] >= c.n)
      throw InputError(file, "actions.seed.agents[" + std::to_string(i) + "]",
                       "an agent id below " + n_text, std::to_string(c.seed_set.agents[i]));
  c.power_floor = num(flat, "actions.power_floor");
  c.participation_commitment = num(flat, "actions.participation_commitment");
  c.participation_fatigue = num(flat, "actions.participation_fatigue");
  c.action_trust_gain = num(flat, "actions.trust_gain");
  c.win_commitment = num(flat, "actions.win_commitment");
  c.loss_fear = num(flat, "actions.loss_fear");

  // Employer, wins, decay.
  c.resistance = num(flat, "employer.resistance");
  c.retaliation = num(flat, "employer.retaliation");
  c.firing = num(flat, "employer.firing");
  c.firing_steps = static_cast<std::int32_t>(integer(flat, "employer.firing_steps"));
  c.counter_campaign = num(flat, "employer.counter_campaign");
  c.wins = WinRules{num(flat, "wins.hold_fraction"), num(flat, "wins.hazard")};
  c.decay = {num(flat, "decay.trust"),     num(flat, "decay.staff_trust"),
             num(flat, "decay.commitment"), num(flat, "decay.awareness"),
             num(flat, "decay.grievance"), num(flat, "decay.fear"),
             num(flat, "decay.fatigue")};
  return c;
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
    case NetworkType::edge_list: {
      std::error_code ec;
      const auto bytes = std::filesystem::file_size(c.network.path, ec);
      return ec ? 0.0 : static_cast<double>(bytes) / 4.0;  // >= 4 bytes per line "a,b\n"
    }
  }
  return 0.0;
}

double estimate_run_bytes(const ModelConfig& c) {
  // Agent state: 5 float attributes + threshold + cascade buffers (see docs/MODEL.md,
  // "Implementation"): about 48 bytes; CSR: 4 bytes offset per agent, 8 bytes per entry
  // (neighbour id + trust), plus 8 bytes per entry of generator scratch (hash sets for
  // rewiring and cross ties, the edge-list reader).
  return static_cast<double>(c.n) * 52.0 + expected_entries(c) * 16.0;
}

}  // namespace orgsim
