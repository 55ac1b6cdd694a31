// The rules of actions, elections, decay, the environment and the shared measures
// (sim/model/actions, elections, decay, environment, metrics): each rule's direction and size on
// hand-computed cases, its limit cases, and the equivalence of the cheap forms the engine uses
// with the plain definitions.
#include <catch2/catch.hpp>

#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "engine/runner.hpp"
#include "helpers.hpp"
#include "io/scenario.hpp"
#include "model/actions.hpp"
#include "model/decay.hpp"
#include "model/elections.hpp"
#include "model/environment.hpp"
#include "model/metrics.hpp"

using namespace orgsim;
using nlohmann::json;

namespace {
/// A small workplace; every rate the cases use is pinned here so a changed default cannot move
/// what the tests claim.
ModelConfig config(const std::vector<std::string>& sets = {}) {
  const char* text = R"({"name": "t", "steps": 10, "replicates": 1, "seed": 1,
    "population": {"size": 5, "grievance": {"distribution": "constant", "value": 0.4},
                   "fear": {"distribution": "constant", "value": 0.5},
                   "inoculation": {"distribution": "constant", "value": 0.2}},
    "network": {"type": "complete"},
    "ladder": {"supporter": 0.2, "member": 0.5, "leader": 0.8},
    "trust": {"baseline": 0.1},
    "participation": {"weights": {"grievance": 0.5, "commitment": 0.3, "social": 1,
                                  "invitation": 0.2, "fear": 0.4}},
    "messaging": {"invitation": 0.5},
    "actions": {"participation_commitment": 0.1, "participation_fatigue": 0.2,
                "win_commitment": 0.3, "loss_fear": 0.25, "loss_commitment": 0.2,
                "power_floor": 0.3},
    "employer": {"retaliation": 0.1, "firing": 0.0, "firing_steps": 4},
    "decay": {"trust": 0.1, "staff_trust": 0.2, "commitment": 0.5, "awareness": 0.5,
              "grievance": 0.25, "fear": 0.5, "fatigue": 0.5}})";
  return test::config_from_text(text, sets);
}
using test::population;
/// A path 0-1-2-3-4 with the given trust on each tie.
Network path(const std::vector<float>& tau) {
  std::vector<std::pair<std::int32_t, std::int32_t>> ties;
  for (std::int32_t i = 0; i + 1 < static_cast<std::int32_t>(tau.size()) + 1; ++i)
    ties.emplace_back(i, i + 1);
  Network net = csr_from_ties(static_cast<std::int32_t>(tau.size()) + 1, ties);
  for (std::int32_t i = 0; i < static_cast<std::int32_t>(tau.size()); ++i) {
    net.trust[static_cast<std::size_t>(net.find_entry(i, i + 1))] = tau[static_cast<std::size_t>(i)];
    net.trust[static_cast<std::size_t>(net.find_entry(i + 1, i))] = tau[static_cast<std::size_t>(i)];
  }
  return net;
}
}  // namespace

// ---- actions -------------------------------------------------------------------------------------

TEST_CASE("utility base: each term by hand, the strongest invitation counts", "[actions]") {
  const ModelConfig cfg = config();
  Population pop = population(cfg);
  Network net = path({0.3f, 0.9f, 0.2f, 0.6f});
  pop.commitment[1] = 0.6f;  // committed: invites 0 (trust 0.3) and 2 (trust 0.9)
  pop.awareness[4] = 0.8f;   // messaging invitation 0.5 * 0.8 = 0.4 (> tie 3-4 from nobody)
  pop.staff_trust[3] = 0.7f;
  std::vector<float> base, scratch;
  utility_base(cfg, pop, net, 0.1, /*staff_present=*/true, base, scratch);
  auto expect = [&](std::int32_t i, double invite) {
    const double g = std::min(1.0, 0.4 + 0.1), c = pop.commitment[i], f = 0.5, v = 0.2;
    return 0.5 * g + 0.3 * c - 0.4 * f * (1 - v) + 0.2 * invite;
  };
  CHECK(base[0] == Approx(expect(0, 0.3)));
  CHECK(base[1] == Approx(expect(1, 0.0)));
  CHECK(base[2] == Approx(expect(2, 0.9)));
  CHECK(base[3] == Approx(expect(3, 0.7)));  // staff call: trust in the staff
  CHECK(base[4] == Approx(expect(4, 0.4)));
  // Without staff the staff's trust is no invitation.
  utility_base(cfg, pop, net, 0.1, false, base, scratch);
  CHECK(base[3] == Approx(expect(3, 0.0)));
}

TEST_CASE("utility base: scattering invitations equals gathering them over every tie", "[actions]") {
  ModelConfig cfg = config({"population.size=400"});
  Rng rng(5);
  NetworkSpec spec;
  spec.type = NetworkType::erdos_renyi;
  spec.mean_degree = 8;
  Network net = build_network(spec, cfg.n, rng);
  for (std::int32_t i = 0; i < net.n; ++i)
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
      if (net.neighbors[e] > i) {
        const auto t = static_cast<float>(rng.uniform());
        net.trust[static_cast<std::size_t>(e)] = t;
        net.trust[static_cast<std::size_t>(net.find_entry(net.neighbors[e], i))] = t;
      }
  Population pop = population(cfg);
  for (std::int32_t i = 0; i < cfg.n; ++i) pop.commitment[i] = static_cast<float>(rng.uniform());
  std::vector<float> base, scratch;
  utility_base(cfg, pop, net, 0.0, false, base, scratch);
  for (std::int32_t i = 0; i < cfg.n; ++i) {
    float invite = 0.5f * pop.awareness[i];
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
      if (committed(pop, net.neighbors[e], cfg.ladder_member)) invite = std::max(invite, net.trust[e]);
    const float g = std::clamp(pop.grievance[i], 0.0f, 1.0f);
    const float want = 0.5f * g + 0.3f * pop.commitment[i] -
                       0.4f * pop.fear[i] * (1.0f - pop.inoculation[i]) + 0.2f * invite;
    REQUIRE(base[static_cast<std::size_t>(i)] == want);  // exactly: same float operations
  }
}

TEST_CASE("power and the win line", "[actions]") {
  CHECK(action_power(0.4, 0.5, 0.3) == Approx(0.4 * (0.3 + 0.7 * 0.5)));
  CHECK(action_power(0.4, 0.0, 0.3) == Approx(0.12));  // a crowd of strangers still counts
  CHECK(action_power(0.4, 1.0, 0.3) == Approx(0.4));
  CHECK(action_wins(0.25, 0.25));
  CHECK_FALSE(action_wins(0.2499, 0.25));
}

TEST_CASE("acting together strengthens only ties between participants", "[actions]") {
  Network net = path({0.2f, 0.4f, 0.2f, 0.3f});
  const std::vector<std::uint8_t> x = {1, 1, 0, 1, 1};
  // Cohesion before the gain: ties 0-1 (0.2) and 3-4 (0.3), each seen from both ends.
  CHECK(cohesion_then_strengthen(net, x, 0.5) == Approx(0.25));
  CHECK(net.strong_changes > 0);  // 0-1 went from 0.2 to 0.6: across the strong line
  CHECK(net.trust[static_cast<std::size_t>(net.find_entry(0, 1))] == Approx(0.6));
  CHECK(net.trust[static_cast<std::size_t>(net.find_entry(1, 0))] == Approx(0.6));
  CHECK(net.trust[static_cast<std::size_t>(net.find_entry(1, 2))] == Approx(0.4));
  CHECK(net.trust[static_cast<std::size_t>(net.find_entry(3, 4))] == Approx(0.65));
  // Limit: no gain measures only (the same cohesion as the plain definition).
  const auto before = net.trust;
  CHECK(cohesion_then_strengthen(net, x, 0.0) ==
        Approx(cohesion(net, [&](std::int32_t i) { return x[static_cast<std::size_t>(i)] != 0; }, 1.0)));
  CHECK(net.trust == before);
}

TEST_CASE("consequences of an action for its participants, by hand", "[actions]") {
  const ModelConfig cfg = config();
  Population pop = population(cfg);
  pop.commitment[0] = 0.5f;
  pop.commitment[4] = 0.85f;  // a leader: exposed to firing
  const std::vector<std::uint8_t> x = {1, 0, 0, 0, 1};
  ActionConsequences what;
  what.lost = true;
  const Touched t = consequences(cfg, pop, x, 7, what);
  CHECK(t.commitment);
  CHECK(t.fear);
  // commitment += 0.1 (1 - c), then lost: commitment -= 0.2 c
  CHECK(pop.commitment[0] == Approx((0.5 + 0.1 * 0.5) * 0.8));
  CHECK(pop.commitment[1] == Approx(0.0));  // not a participant
  CHECK(pop.fatigue[0] == Approx(0.2));
  // lost: fear += 0.25 (1 - v)(1 - f); then retaliation: fear += 0.1 (1 - v)(1 - f')
  const double f1 = 0.5 + 0.25 * 0.8 * 0.5;
  CHECK(pop.fear[0] == Approx(f1 + 0.1 * 0.8 * (1 - f1)));
  CHECK(pop.fear[1] == Approx(0.5));
  CHECK(pop.exposed_until[4] == 7 + 4);
  CHECK(pop.exposed_until[0] == -1);
  // A win raises commitment by win_commitment on top of taking part.
  Population won = population(cfg);
  ActionConsequences w;
  w.won = true;
  consequences(cfg, won, x, 7, w);
  const double c1 = 0.1;
  CHECK(won.commitment[0] == Approx(c1 + 0.3 * (1 - c1)));
}

TEST_CASE("consequences: with every rate 0 nothing is touched", "[actions][limit]") {
  const ModelConfig cfg = config({"actions.participation_commitment=0", "actions.participation_fatigue=0",
                                  "actions.win_commitment=0", "actions.loss_fear=0",
                                  "employer.retaliation=0"});
  Population pop = population(cfg);
  const Population before = pop;
  const std::vector<std::uint8_t> x = {1, 1, 1, 1, 1};
  ActionConsequences what;
  what.won = true;
  const Touched t = consequences(cfg, pop, x, 3, what);
  CHECK_FALSE(t.commitment);
  CHECK_FALSE(t.fear);
  CHECK_FALSE(t.fatigue);
  CHECK((pop.commitment == before.commitment).all());
  CHECK((pop.fear == before.fear).all());
  CHECK(pop.last_action == before.last_action);  // nobody asked for the mark
}

// ---- decay ---------------------------------------------------------------------------------------

TEST_CASE("decay: each rate by hand", "[decay]") {
  const ModelConfig cfg = config();
  Population pop = population(cfg);
  Network net = path({0.9f, 0.5f, 0.1f, 0.6f});
  pop.staff_trust[0] = 0.5f;
  pop.awareness[1] = 0.8f;
  pop.fatigue[2] = 0.4f;
  pop.grievance[3] = 0.8f;  // its own level is 0.4
  pop.fear[4] = 0.9f;       // its own level is 0.5
  pop.commitment[1] = 0.6f;  // committed: embeds 0 (trust 0.9 after decay...) and 2
  pop.commitment[0] = 0.4f;
  std::vector<float> scratch;
  const DecayResult r = decay(cfg, pop, net, scratch);
  CHECK(r.trust);
  // trust += -0.1 (trust - 0.1)
  const double t01 = 0.9 - 0.1 * 0.8;
  CHECK(net.trust[static_cast<std::size_t>(net.find_entry(0, 1))] == Approx(t01));
  CHECK(net.trust[static_cast<std::size_t>(net.find_entry(2, 3))] == Approx(0.1));
  CHECK(pop.staff_trust[0] == Approx(0.4));
  CHECK(pop.awareness[1] == Approx(0.4));
  CHECK(pop.fatigue[2] == Approx(0.2));
  CHECK(pop.grievance[3] == Approx(0.8 + 0.25 * (0.4 - 0.8)));
  CHECK(pop.fear[4] == Approx(0.9 + 0.5 * (0.5 - 0.9)));
  // Agent 0 has one neighbour (1, committed): e_0 = t01 / 1, so c -= 0.5 (1 - e) c.
  CHECK(pop.commitment[0] == Approx(0.4 - 0.5 * (1 - t01) * 0.4));
  // Agent 1 has no committed neighbour: full decay rate.
  CHECK(pop.commitment[1] == Approx(0.6 - 0.5 * 0.6));
  // The fused statistics equal a separate pass.
  REQUIRE(r.has_trust_stats);
  const TrustStats s = trust_stats(net);
  CHECK(r.trust_stats.sum == s.sum);
  CHECK(r.trust_stats.strong == s.strong);
}

TEST_CASE("decay: the blocked trust pass equals the plain one, crossings and sums included",
          "[decay]") {
  // A path of 68 agents: 134 entries, so two full blocks of 64 and a last one of 6 (not a
  // multiple of 4). Ties 3 and 20 (first block) and 66 (the last) cross the strong line this
  // step (0.52 -> 0.478); the middle block has no crossing; other ties stay clear of the line.
  const ModelConfig cfg = config({"decay.commitment=0"});
  std::vector<float> tau(67);
  Rng rng(17);
  for (auto& t : tau) {
    t = static_cast<float>(0.2 + 0.7 * rng.uniform());
    if (t >= 0.5f && t < 0.55f) t = 0.6f;
  }
  for (const std::size_t k : {3, 20, 66}) tau[k] = 0.52f;
  Network net = path(tau);
  REQUIRE(net.num_entries() == 134);
  const std::vector<float> before = net.trust;
  Population pop = population(cfg, 1);
  std::vector<float> scratch;
  // config() has 5 agents; the trust pass reads only the network.
  const DecayResult r = decay(cfg, pop, net, scratch);
  // The plain pass: the same float arithmetic per entry, a sum in lanes e mod 4, every crossing
  // logged once per tie from its lower end's row.
  const float rate = 0.1f, base = 0.1f;
  double lane[4] = {0, 0, 0, 0}, serial = 0.0;
  std::int64_t strong = 0;
  std::vector<std::uint64_t> crossed;
  for (std::int32_t i = 0; i < net.n; ++i)
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      const float was = before[static_cast<std::size_t>(e)];
      const float now = was - rate * (was - base);
      CHECK(net.trust[static_cast<std::size_t>(e)] == now);
      lane[e & 3] += now;
      serial += now;
      strong += now >= kStrongTie ? 1 : 0;
      if ((was >= kStrongTie) != (now >= kStrongTie) && i < net.neighbors[e])
        crossed.push_back(Network::strong_key(i, net.neighbors[e]));
    }
  REQUIRE(r.has_trust_stats);
  CHECK(r.trust_stats.sum == (lane[0] + lane[1]) + (lane[2] + lane[3]));
  CHECK(r.trust_stats.sum == Approx(serial).epsilon(1e-12));
  CHECK(r.trust_stats.strong == strong);
  CHECK(r.trust_stats.entries == 134);
  CHECK(crossed == std::vector<std::uint64_t>{Network::strong_key(3, 4),
                                              Network::strong_key(20, 21),
                                              Network::strong_key(66, 67)});
  CHECK(net.strong_log == crossed);
  CHECK(net.strong_changes == 3);
  // A fresh count sums in the same lanes: the recorder's cached statistics match it exactly.
  const TrustStats fresh = trust_stats(net);
  CHECK(fresh.sum == r.trust_stats.sum);
  CHECK(fresh.strong == r.trust_stats.strong);
}

TEST_CASE("decay: all rates 0 change nothing and report nothing", "[decay][limit]") {
  const ModelConfig cfg = config({"decay.trust=0", "decay.staff_trust=0", "decay.commitment=0",
                                  "decay.awareness=0", "decay.grievance=0", "decay.fear=0",
                                  "decay.fatigue=0"});
  Population pop = population(cfg);
  pop.commitment[2] = 0.7f;
  Network net = path({0.9f, 0.5f, 0.1f, 0.6f});
  const auto trust = net.trust;
  const Population before = pop;
  std::vector<float> scratch;
  const DecayResult r = decay(cfg, pop, net, scratch);
  CHECK_FALSE((r.trust || r.commitment || r.fear || r.awareness || r.grievance || r.staff_trust ||
               r.fatigue));
  CHECK(net.trust == trust);
  CHECK((pop.commitment == before.commitment).all());
}

TEST_CASE("embeddedness scattered from the committed equals the sparse product", "[decay]") {
  ModelConfig cfg = config({"population.size=2000"});
  Rng rng(11);
  for (auto type : {NetworkType::erdos_renyi, NetworkType::workplace, NetworkType::barabasi_albert}) {
    NetworkSpec spec = cfg.network;  // the table's degrees and departments
    spec.type = type;
    Network net = build_network(spec, cfg.n, rng);
    for (std::int32_t i = 0; i < net.n; ++i)
      for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
        if (net.neighbors[e] > i) {
          const auto t = static_cast<float>(rng.uniform());
          net.trust[static_cast<std::size_t>(e)] = t;
          net.trust[static_cast<std::size_t>(net.find_entry(net.neighbors[e], i))] = t;
        }
    Population pop = population(cfg);
    for (std::int32_t i = 0; i < cfg.n; ++i) pop.commitment[i] = static_cast<float>(rng.uniform());
    std::vector<float> e;
    embeddedness(cfg, pop, net, e);
    Eigen::VectorXf flag(cfg.n);
    for (std::int32_t i = 0; i < cfg.n; ++i) flag[i] = committed(pop, i, cfg.ladder_member) ? 1.0f : 0.0f;
    Eigen::Map<const Eigen::SparseMatrix<float, Eigen::RowMajor, std::int32_t>> A(
        cfg.n, cfg.n, net.num_entries(), net.offsets.data(), net.neighbors.data(), net.trust.data());
    const Eigen::VectorXf prod = A * flag;
    for (std::int32_t i = 0; i < cfg.n; ++i) {
      const std::int32_t d = net.degree(i);
      REQUIRE(e[static_cast<std::size_t>(i)] == (d > 0 ? prod[i] / static_cast<float>(d) : 0.0f));
    }
  }
}

// ---- environment ---------------------------------------------------------------------------------

TEST_CASE("climate: the cycle and the shocks", "[environment]") {
  ClimateConfig c;
  c.amplitude = 0.2;
  c.period = 52;
  Climate cl(c);
  Rng rng(1);
  CHECK(cl.advance(0, rng) == Approx(0.0).margin(1e-12));
  CHECK(cl.advance(13, rng) == Approx(0.2));  // a quarter period: the peak
  ClimateConfig s;
  s.period = 52;
  s.shock_rate = 1.0;
  s.shock_size = 0.2;
  s.shock_persistence = 0.5;
  Climate shocks(s);
  CHECK(shocks.advance(0, rng) == Approx(0.2));
  CHECK(shocks.advance(1, rng) == Approx(0.5 * 0.2 + 0.2));
}

TEST_CASE("counter-campaign raises fear by (1 - v)(1 - f)", "[environment]") {
  const ModelConfig cfg = config();
  Population pop = population(cfg);
  counter_campaign(pop, 0.1);
  CHECK(pop.fear[0] == Approx(0.5 + 0.1 * 0.8 * 0.5));
  counter_campaign(pop, 0.0);  // limit: none
  CHECK(pop.fear[0] == Approx(0.5 + 0.1 * 0.8 * 0.5));
}

TEST_CASE("turnover: no draws and no one leaves at rate 0, everyone at rate 1", "[environment]") {
  ModelConfig cfg = config({"environment.turnover=0"});
  Population pop = population(cfg);
  Network net = path({0.9f, 0.5f, 0.1f, 0.6f});
  Rng rng(3);
  const Rng before = rng;
  std::vector<std::int32_t> left = {42};
  turnover(cfg, pop, net, 5, 99, rng, left);
  CHECK(left.empty());
  CHECK(rng.uniform() == Rng(before).uniform());  // the stream did not move
  ModelConfig all = config({"environment.turnover=1"});
  pop.commitment[2] = 0.9f;
  turnover(all, pop, net, 5, 99, rng, left);
  CHECK(left.size() == 5);
  CHECK(pop.commitment[2] == 0.0f);
  CHECK(pop.hired[2] == 5);
  for (float t : net.trust) CHECK(t == Approx(0.1));  // every tie back to the baseline
}

TEST_CASE("firing: exposed leaders leave at the firing rate", "[environment]") {
  ModelConfig cfg = config({"environment.turnover=0", "employer.firing=1"});
  Population pop = population(cfg);
  Network net = path({0.9f, 0.5f, 0.1f, 0.6f});
  pop.exposed_until[3] = 6;
  Rng rng(3);
  std::vector<std::int32_t> left;
  turnover(cfg, pop, net, 5, 99, rng, left);
  REQUIRE(left.size() == 1);
  CHECK(left[0] == 3);
  turnover(cfg, pop, net, 7, 99, rng, left);  // exposure over (and the new hire is not exposed)
  CHECK(left.empty());
}

// ---- measures ------------------------------------------------------------------------------------

TEST_CASE("rung counts: disjoint rungs, the organized base counts worker-organizers", "[metrics]") {
  const ModelConfig cfg = config();
  Population pop = population(cfg);
  pop.commitment << 0.1f, 0.2f, 0.5f, 0.8f, 0.3f;
  pop.role[4] = Role::worker_organizer;
  const RungCounts r = count_rungs(pop, 0.2, 0.5, 0.8);
  CHECK(r.supporter == 2);
  CHECK(r.member == 1);
  CHECK(r.leader == 1);
  CHECK(r.organized == 3);  // 0.5, 0.8 and the worker-organizer at 0.3
  CHECK(r.worker_organizers == 1);
}

TEST_CASE("the yeses on the sheets: the organized base and everyone who said yes", "[metrics]") {
  const ModelConfig cfg = config();
  Population pop = population(cfg);
  pop.commitment << 0.1f, 0.2f, 0.5f, 0.8f, 0.3f;
  pop.role[4] = Role::worker_organizer;
  CHECK(count_yeses(pop, 0.5) == 3);  // 2, 3 and the worker-organizer 4
  pop.said_yes[0] = 1;
  pop.said_yes[2] = 1;  // already counted
  CHECK(count_yeses(pop, 0.5) == 4);
  pop.said_yes.clear();  // no campaign asked: the organized base
  CHECK(count_yeses(pop, 0.5) == 3);
}

TEST_CASE("strong-tie component and trust statistics by hand", "[metrics]") {
  Network net = path({0.9f, 0.5f, 0.1f, 0.6f});  // strong: 0-1-2 and 3-4
  CHECK(strong_component(net) == 3);
  const TrustStats s = trust_stats(net);
  CHECK(s.entries == 8);
  CHECK(s.mean() == Approx((0.9 + 0.5 + 0.1 + 0.6) / 4));
  CHECK(s.strong_share() == Approx(0.75));
  Network weak = path({0.1f, 0.2f});
  CHECK(strong_component(weak) == 0);
}

TEST_CASE("a growing crowd's cohesion equals the cohesion of the whole crowd", "[metrics]") {
  Rng rng(2);
  NetworkSpec spec;
  spec.type = NetworkType::erdos_renyi;
  spec.mean_degree = 6;
  Network net = build_network(spec, 500, rng);
  for (std::int32_t i = 0; i < net.n; ++i)
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
      if (net.neighbors[e] > i) {
        const auto t = static_cast<float>(rng.uniform());
        net.trust[static_cast<std::size_t>(e)] = t;
        net.trust[static_cast<std::size_t>(net.find_entry(net.neighbors[e], i))] = t;
      }
  std::vector<std::uint8_t> in(500, 0);
  GrowingCohesion crowd(500);
  for (int k = 0; k < 300; ++k) {
    const auto i = static_cast<std::int32_t>(rng.below(500));
    in[static_cast<std::size_t>(i)] = 1;
    crowd.add(net, i);
    if (k % 50 == 49)
      CHECK(crowd.value() ==
            Approx(cohesion(net, [&](std::int32_t j) { return in[static_cast<std::size_t>(j)] != 0; }, 1.0))
                .epsilon(1e-12));
  }
  crowd.reset();
  CHECK(crowd.value() == 0.0);
}

// ---- when an action is called, its seeds, the defense ------------------------------------------

TEST_CASE("action_due: each policy by hand, the gap, and the count asked only when read",
          "[actions]") {
  int asked = 0;
  std::int64_t support = 0;
  const std::function<std::int64_t()> assessed = [&] {
    ++asked;
    return support;
  };
  SECTION("schedule: every `every` steps from `first`, nothing before") {
    const ModelConfig cfg = config({"actions.policy=\"schedule\"", "actions.first=3", "actions.every=2"});
    CHECK_FALSE(action_due(cfg, 2, -1, 0.0, assessed));
    CHECK(action_due(cfg, 3, -1, 0.0, assessed));
    CHECK_FALSE(action_due(cfg, 4, 3, 0.0, assessed));
    CHECK(action_due(cfg, 5, 3, 0.0, assessed));
    CHECK(action_due(cfg, 5, 4, 0.0, assessed));  // no gap rule for a schedule
    CHECK(asked == 0);
  }
  SECTION("continuous: every step from `first`; never: never") {
    const ModelConfig cfg = config({"actions.policy=\"continuous\"", "actions.first=3"});
    CHECK_FALSE(action_due(cfg, 2, -1, 0.0, assessed));
    for (int t = 3; t < 8; ++t) CHECK(action_due(cfg, t, t - 1, 0.0, assessed));
    const ModelConfig never = config({"actions.policy=\"never\""});
    for (int t = 0; t < 8; ++t) CHECK_FALSE(action_due(never, t, -1, 1.0, assessed));
    CHECK(asked == 0);
  }
  SECTION("hot: the climate at the line, min_gap steps after the last action") {
    const ModelConfig cfg =
        config({"actions.policy=\"hot\"", "actions.hot_threshold=0.1", "actions.min_gap=4"});
    CHECK(action_due(cfg, 5, -1, 0.1, assessed));   // at the line
    CHECK_FALSE(action_due(cfg, 5, -1, 0.09, assessed));
    CHECK_FALSE(action_due(cfg, 5, 2, 0.3, assessed));  // 3 steps since: too soon
    CHECK(action_due(cfg, 6, 2, 0.3, assessed));        // 4 steps since
    CHECK(asked == 0);
    const ModelConfig later = config({"actions.policy=\"hot\"", "actions.first=10"});
    CHECK_FALSE(action_due(later, 9, -1, 1.0, assessed));  // nothing before `first`
    CHECK(action_due(later, 10, -1, 1.0, assessed));
  }
  SECTION("readiness: the assessed support reaches readiness x N (N = 5)") {
    const ModelConfig cfg =
        config({"actions.policy=\"readiness\"", "actions.readiness=0.4", "actions.min_gap=4"});
    support = 2;  // 2 >= 0.4 x 5
    CHECK(action_due(cfg, 5, -1, -1.0, assessed));
    support = 1;
    CHECK_FALSE(action_due(cfg, 5, -1, 1.0, assessed));
    CHECK(asked == 2);
    support = 5;
    CHECK_FALSE(action_due(cfg, 5, 2, 0.0, assessed));  // too soon: the count is not asked
    CHECK(asked == 2);
    const ModelConfig later = config({"actions.policy=\"readiness\"", "actions.first=10"});
    CHECK_FALSE(action_due(later, 9, -1, 0.0, assessed));  // nothing before `first`
    CHECK(asked == 2);
    CHECK(action_due(later, 10, -1, 0.0, assessed));
  }
  SECTION("ready_and_hot: both, the count asked only on a hot day") {
    const ModelConfig cfg = config({"actions.policy=\"ready_and_hot\"", "actions.readiness=0.4",
                                    "actions.hot_threshold=0.1", "actions.min_gap=1"});
    support = 2;
    CHECK_FALSE(action_due(cfg, 5, -1, 0.0, assessed));
    CHECK(asked == 0);
    CHECK(action_due(cfg, 5, -1, 0.2, assessed));
    support = 1;
    CHECK_FALSE(action_due(cfg, 5, -1, 0.2, assessed));
    CHECK(asked == 2);
    support = 5;
    const ModelConfig gap = config({"actions.policy=\"ready_and_hot\"", "actions.min_gap=4"});
    CHECK_FALSE(action_due(gap, 5, 2, 1.0, assessed));  // ready and hot, but too soon
    CHECK(action_due(gap, 6, 2, 1.0, assessed));
  }
}

TEST_CASE("choose_seeds: a rung, listed agents and their neighbours, k distinct at random",
          "[actions]") {
  const ModelConfig cfg = config();
  Population pop = population(cfg);
  pop.commitment << 0.1f, 0.5f, 0.9f, 0.3f, 0.2f;
  pop.role[4] = Role::worker_organizer;
  const Network net = path({0.9f, 0.5f, 0.1f, 0.6f});
  Rng rng(7);
  const Rng start = rng;
  auto untouched = [&] { return Rng(rng).uniform() == Rng(start).uniform(); };
  SeedSpec s;
  s.kind = SeedSpec::Kind::rung;
  s.rung = 0.5;  // member: 1 and 2 by commitment, 4 as a worker-organizer
  CHECK(choose_seeds(s, pop, net, 5, rng) == std::vector<std::int32_t>{1, 2, 4});
  s = SeedSpec{};
  s.kind = SeedSpec::Kind::agents;
  s.agents = {3};
  CHECK(choose_seeds(s, pop, net, 5, rng) == std::vector<std::int32_t>{3});
  s.with_neighbors = true;
  CHECK(choose_seeds(s, pop, net, 5, rng) == std::vector<std::int32_t>{3, 2, 4});
  s.agents = {0, 3};
  CHECK(choose_seeds(s, pop, net, 5, rng) == std::vector<std::int32_t>{0, 3, 1, 2, 4});
  Network complete;
  complete.n = 5;
  complete.complete = true;
  s.agents = {1};
  CHECK(choose_seeds(s, pop, complete, 5, rng) == std::vector<std::int32_t>{1, 0, 1, 2, 3, 4});
  CHECK(untouched());  // rung and agents draw nothing
  s = SeedSpec{};
  s.kind = SeedSpec::Kind::random;
  s.count = 0;
  CHECK(choose_seeds(s, pop, net, 5, rng).empty());
  CHECK(untouched());
  // Floyd's algorithm by hand: for j = N - k .. N - 1 draw t below j + 1; a t already taken
  // gives j instead.
  s.count = 3;
  Rng replica = rng;
  std::vector<std::int32_t> expected;
  for (std::int32_t j = 2; j < 5; ++j) {
    auto t = static_cast<std::int32_t>(replica.below(static_cast<std::uint64_t>(j + 1)));
    if (std::find(expected.begin(), expected.end(), t) != expected.end()) t = j;
    expected.push_back(t);
  }
  const auto chosen = choose_seeds(s, pop, net, 5, rng);
  CHECK(chosen == expected);
  CHECK(std::set<std::int32_t>(chosen.begin(), chosen.end()).size() == 3);
  CHECK(rng.uniform() == replica.uniform());  // one draw per seed
  s.count = 5;  // everyone: a permutation
  auto all = choose_seeds(s, pop, net, 5, rng);
  std::sort(all.begin(), all.end());
  CHECK(all == std::vector<std::int32_t>{0, 1, 2, 3, 4});
  s.kind = SeedSpec::Kind::fraction;
  s.fraction = 0.3;  // round(1.5) = 2
  CHECK(choose_seeds(s, pop, net, 5, rng).size() == 2);
}

TEST_CASE("defense capacity by hand: the crowd from nobody times its cohesion", "[actions][wins]") {
  // Path 0-1-2-3-4, trust 0.9, 0.5, 0.1, 0.6; thresholds 0.5; fraction rule, social weight 1;
  // contagion on (the defense ignores it).
  const ModelConfig cfg = config({"participation.contagion.probability=1"});
  const Network net = path({0.9f, 0.5f, 0.1f, 0.6f});
  const std::vector<float> threshold(5, 0.5f);
  const std::vector<float> base = {0.6f, 0.2f, 0.0f, 0.0f, 0.55f};
  ParticipationCore core(net, defense_rules(cfg));
  // Round 1: 0 and 4 reach 0.5 alone. Round 2: 1 has 0.2 + 0.9 / 2 = 0.65 and joins; 3 has
  // 0 + 0.6 / 2 = 0.3. Round 3: 2 has 0 + 0.5 / 2 = 0.25. The crowd {0, 1, 4} holds one tie,
  // 0-1 at 0.9: D = 3/5 x 0.9.
  Defense d = defense_capacity(core, net, base.data(), threshold.data(), 1.0);
  CHECK(d.crowd == 3);
  CHECK(d.cohesion == Approx(0.9));
  CHECK(d.value == Approx(0.54));
  // Again on the same core: reset first, the same answer (no draws, no memory).
  CHECK(defense_capacity(core, net, base.data(), threshold.data(), 1.0).value == d.value);
  // The threshold channel off: private utility alone; {0, 4} hold no tie, so no cohesion.
  ParticipationCore alone(net, defense_rules(config({"participation.threshold_rule=\"off\""})));
  d = defense_capacity(alone, net, base.data(), threshold.data(), 1.0);
  CHECK(d.crowd == 2);
  CHECK(d.value == 0.0);
  // One who would turn out is no defense.
  const std::vector<float> one = {0.6f, 0.0f, 0.0f, 0.0f, 0.0f};
  d = defense_capacity(core, net, one.data(), threshold.data(), 1.0);
  CHECK(d.crowd == 1);
  CHECK(d.value == 0.0);
  // A complete network: every tie has the configured trust.
  Network complete;
  complete.n = 5;
  complete.complete = true;
  CascadeRules rules = defense_rules(cfg);
  rules.complete_trust = 0.7f;
  ParticipationCore mean_field(complete, rules);
  const std::vector<float> two = {0.6f, 0.6f, 0.0f, 0.0f, 0.0f};
  const std::vector<float> high(5, 0.5f);
  d = defense_capacity(mean_field, complete, two.data(), high.data(), 0.7);
  // 0 and 1 join alone; the others see 0.7 x 2 of their 4 coworkers: 0.35 < 0.5.
  CHECK(d.crowd == 2);
  CHECK(d.cohesion == Approx(0.7));
  CHECK(d.value == Approx(2.0 / 5 * 0.7));
}

TEST_CASE("defense rules: the action's threshold rule alone, synchronous, no contagion",
          "[actions][wins]") {
  const ModelConfig cfg = config({"participation.contagion.probability=0.3",
                                  "participation.contagion.attempts=\"every_round\"",
                                  "participation.threshold_rule=\"count\"",
                                  "participation.weights.social=0.6", "trust.initial.value=0.7"});
  const CascadeRules a = cascade_rules(cfg);
  CHECK(a.contagion_probability == 0.3);
  CHECK(a.attempts == Attempts::every_round);
  CHECK(a.rule == ThresholdRule::count);
  CHECK(a.w_social == 0.6f);
  CHECK(a.complete_trust == 0.7f);
  const CascadeRules d = defense_rules(cfg);
  CHECK(d.contagion_probability == 0.0);
  CHECK(d.rule == a.rule);
  CHECK(d.w_social == a.w_social);
  const ModelConfig sequential = config({"participation.update=\"random_sequential\""});
  CHECK(cascade_rules(sequential).update == UpdateOrder::random_sequential);
  CHECK(defense_rules(sequential).update == UpdateOrder::synchronous);
  const CascadeRules off = defense_rules(config({"participation.threshold_rule=\"off\""}));
  CHECK(off.rule == ThresholdRule::fraction);
  CHECK(off.w_social == 0.0f);
}

TEST_CASE("join causes by hand: each channel, invitations by source, the social pull, responders",
          "[actions]") {
  // Agents 0..6 joined in this order; 5 has left again. 0 was a seed, 1 converted by a
  // neighbour, 2 by the broadcast channel; 3, 4 and 6 crossed their thresholds, 3 on a
  // relationship's invitation, 4 on messaging's, 6 on no invitation but participating
  // neighbours (S = 0.3). The blasts reached 2 and 4.
  const std::vector<std::int32_t> joined = {0, 1, 2, 3, 4, 5, 6};
  const std::vector<std::uint8_t> x = {1, 1, 1, 1, 1, 0, 1};
  using C = JoinCause;
  const std::vector<JoinCause> cause = {C::seed,      C::contagion, C::broadcast, C::threshold,
                                        C::threshold, C::threshold, C::threshold};
  const std::vector<std::uint8_t> source = {kInviteNone,         kInviteNone,      kInviteNone,
                                            kInviteRelationship, kInviteMessaging, kInviteNone,
                                            kInviteNone};
  const std::vector<float> social = {0, 0, 0, 0, 0, 0, 0.3f};
  const std::vector<std::uint8_t> reached = {0, 0, 1, 0, 1, 0, 0};
  JoinCauses j = count_join_causes(joined, 1, x, cause, source, 1.0, social, reached);
  CHECK(j.by == std::array<std::int64_t, 3>{3, 2, 0});  // invited 1, 3, 6; broadcast 2, 4
  CHECK(j.responders == 2);
  j = count_join_causes(joined, 0, x, cause, source, 0.0, social, reached);  // no social pull
  CHECK(j.by == std::array<std::int64_t, 3>{2, 2, 2});  // the seed 0 and 6 on their own
  j = count_join_causes(joined, 0, x, cause, {}, 0.0, social, {});  // no invitations, no blasts
  CHECK(j.by == std::array<std::int64_t, 3>{1, 1, 4});
  CHECK(j.responders == 0);
}

TEST_CASE("an action's outcome: the line without a width, one draw with one", "[actions]") {
  Rng rng(3);
  const Rng start = rng;
  CHECK(decide_action(0.25, 0.25, 0.0, rng));  // at the line wins
  CHECK_FALSE(decide_action(0.2499, 0.25, 0.0, rng));
  CHECK(rng.uniform() == Rng(start).uniform());  // no draws without a width
  Rng a(8), b(8);
  const double u = b.uniform();
  CHECK(decide_action(0.3, 0.25, 0.03, a) == (u < win_probability(0.3, 0.25, 0.03)));
  CHECK(a.uniform() == b.uniform());
}

// ---- elections ---------------------------------------------------------------------------------

TEST_CASE("elections: the employer's choice of tactics draws only for a share in (0, 1)",
          "[elections]") {
  Rng rng(11);
  const Rng start = rng;
  CHECK(employer_chooses(1.0, rng));
  CHECK_FALSE(employer_chooses(0.0, rng));
  CHECK(rng.uniform() == Rng(start).uniform());  // no draw at 0 or 1
  Rng a(12), b(12);
  const double u = b.uniform();
  CHECK(employer_chooses(0.4, a) == (u < 0.4));
  CHECK(a.uniform() == b.uniform());  // exactly one draw
}

TEST_CASE("elections: a majority of the votes cast wins, a tie loses, no votes lose",
          "[elections]") {
  Rng rng(5);
  const Rng start = rng;
  VoteCount v = count_votes({1, 1, 0, 0, 1}, 1.0, rng);
  CHECK(v.cast == 5);
  CHECK(v.yes == 3);
  CHECK(v.won);
  v = count_votes({1, 1, 0, 0}, 1.0, rng);
  CHECK(v.yes == 2);
  CHECK_FALSE(v.won);  // 2 of 4: a tie loses
  CHECK(rng.uniform() == Rng(start).uniform());  // everyone votes: no draws
  v = count_votes({1, 1, 1}, 0.0, rng);
  CHECK(v.cast == 0);
  CHECK_FALSE(v.won);
  // Turnout 0.5: one uniform per worker in node order decides who casts a vote.
  Rng a(9), b(9);
  const std::vector<std::uint8_t> yes = {1, 0, 1, 1, 0, 0, 1, 0};
  std::int64_t cast = 0, y = 0;
  for (auto x : yes)
    if (b.uniform() < 0.5) {
      ++cast;
      y += x;
    }
  v = count_votes(yes, 0.5, a);
  CHECK(v.cast == cast);
  CHECK(v.yes == y);
  CHECK(v.won == (2 * y > cast));
  CHECK(a.uniform() == b.uniform());
}

TEST_CASE("elections: the first contract's chance is the rate times the defense's share of "
          "what the win needs",
          "[elections][wins]") {
  // needed = hold_fraction x strength = 0.5 x 0.6 = 0.3
  CHECK(first_contract_chance(0.02, 0.5, 0.6, 0.15) == Approx(0.01));
  CHECK(first_contract_chance(0.02, 0.5, 0.6, 0.3) == Approx(0.02));
  CHECK(first_contract_chance(0.02, 0.5, 0.6, 0.9) == Approx(0.02));  // capped at the rate
  CHECK(first_contract_chance(0.02, 0.5, 0.6, -0.1) == 0.0);
  CHECK(first_contract_chance(0.02, 0.0, 0.6, 0.0) == Approx(0.02));  // nothing needed
  CHECK(first_contract_chance(0.0, 0.5, 0.6, 0.3) == 0.0);
}

TEST_CASE("elections: after the push a won election is decertified, reaches a contract or stands",
          "[elections][wins]") {
  int asked = 0;
  const std::function<double()> defense = [&] {
    ++asked;
    return 0.15;  // half of what a win of strength 0.6 needs at hold 0.5
  };
  Rng rng(21);
  const Rng start = rng;
  // Reversed by the push: decertified, no draw, the defense not asked.
  CHECK(settle_election(true, 0.5, 0.5, 0.6, defense, rng) == ElectionFate::decertified);
  // No contract rate: it stands, no draw.
  CHECK(settle_election(false, 0.0, 0.5, 0.6, defense, rng) == ElectionFate::standing);
  CHECK(asked == 0);
  CHECK(rng.uniform() == Rng(start).uniform());
  // Otherwise one draw against rate x D / needed = 0.5 x 0.5 = 0.25.
  Rng a(22), b(22);
  const double u = b.uniform();
  const ElectionFate f = settle_election(false, 0.5, 0.5, 0.6, defense, a);
  CHECK(f == (u < 0.25 ? ElectionFate::contract : ElectionFate::standing));
  CHECK(asked == 1);
  CHECK(a.uniform() == b.uniform());
  // Over many steps the share of contracts is the chance.
  Rng many(23);
  int contracts = 0;
  for (int k = 0; k < 20000; ++k)
    contracts += settle_election(false, 0.5, 0.5, 0.6, defense, many) == ElectionFate::contract;
  CHECK(contracts / 20000.0 == Approx(0.25).margin(4 * std::sqrt(0.25 * 0.75 / 20000)));
}

TEST_CASE("elections: the notice weeks run from the week after the petition to the vote",
          "[elections]") {
  CHECK_FALSE(in_notice_weeks(10, 10, 14));  // the petition's own week
  CHECK(in_notice_weeks(11, 10, 14));
  CHECK(in_notice_weeks(14, 10, 14));  // the vote's week
  CHECK_FALSE(in_notice_weeks(15, 10, 14));
  CHECK_FALSE(in_notice_weeks(12, -1, -1));  // no election called
  CHECK_FALSE(in_notice_weeks(10, 10, 10));  // no notice at all
}

TEST_CASE("elections: a week of counter-campaign by hand (captive meetings, threats, firings)",
          "[elections][environment]") {
  // fear 0.5, inoculation 0.2; commitment 0.1, 0.3, 0.6, 0.9, 0: supporters (>= 0.2) 1, 2, 3;
  // a leader (>= 0.8) 3.
  const ModelConfig cfg =
      config({"elections.captive_fear=0.1", "elections.threat_rate=1", "elections.threat_fear=0.2",
              "elections.firing_rate=1"});
  Population pop = population(cfg);
  pop.commitment << 0.1f, 0.3f, 0.6f, 0.9f, 0.0f;
  Network net = path({0.9f, 0.5f, 0.1f, 0.6f});
  Rng rng(4);
  std::vector<std::int32_t> left;
  const CounterCampaignWeek w = election_counter_campaign(cfg, pop, net, 5, 99, rng, left);
  const double captive = 0.5 + 0.1 * 0.8 * 0.5;  // 0.54
  CHECK(pop.fear[0] == Approx(captive));
  CHECK(pop.fear[4] == Approx(captive));
  const double threatened = captive + 0.2 * 0.8 * (1 - captive);
  CHECK(pop.fear[1] == Approx(threatened));
  CHECK(pop.fear[2] == Approx(threatened));
  CHECK(w.threats == 3);
  CHECK(w.firings == 1);
  CHECK(left == std::vector<std::int32_t>{3});
  CHECK(pop.commitment[3] == 0.0f);  // a new hire holds the node
  CHECK(pop.hired[3] == 5);
  // The tactics not chosen: captive meetings alone, no draws.
  Population quiet = population(cfg);
  quiet.commitment << 0.1f, 0.3f, 0.6f, 0.9f, 0.0f;
  Rng r2(4);
  const Rng r2_start = r2;
  left.clear();
  const CounterCampaignWeek none =
      election_counter_campaign(cfg, quiet, net, 5, 99, r2, left, false, false);
  CHECK(none.threats == 0);
  CHECK(none.firings == 0);
  CHECK(left.empty());
  for (int i = 0; i < 5; ++i) CHECK(quiet.fear[i] == Approx(captive));
  CHECK(r2.uniform() == Rng(r2_start).uniform());
}
