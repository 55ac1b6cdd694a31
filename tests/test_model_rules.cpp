// The rules of actions, decay, the environment and the shared measures (sim/model/actions,
// decay, environment, metrics): each rule's direction and size on hand-computed cases, its limit
// cases, and the equivalence of the cheap forms the engine uses with the plain definitions.
#include <catch2/catch.hpp>

#include <Eigen/SparseCore>

#include "engine/runner.hpp"
#include "helpers.hpp"
#include "io/scenario.hpp"
#include "model/actions.hpp"
#include "model/decay.hpp"
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
