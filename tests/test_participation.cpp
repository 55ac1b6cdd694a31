// The participation core: each channel's direction and size on hand-computed cases, limit
// cases, and synchronous vs random-sequential equivalence.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "model/network.hpp"
#include "model/participation.hpp"

using namespace orgsim;

namespace {
Network path_graph(std::int32_t n, float trust = 1.0f) {
  std::vector<std::pair<std::int32_t, std::int32_t>> ties;
  for (std::int32_t i = 0; i + 1 < n; ++i) ties.emplace_back(i, i + 1);
  Network net = csr_from_ties(n, ties);
  std::fill(net.trust.begin(), net.trust.end(), trust);
  return net;
}
Network star(std::int32_t leaves, float trust = 1.0f) {
  std::vector<std::pair<std::int32_t, std::int32_t>> ties;
  for (std::int32_t i = 1; i <= leaves; ++i) ties.emplace_back(0, i);
  Network net = csr_from_ties(leaves + 1, ties);
  std::fill(net.trust.begin(), net.trust.end(), trust);
  return net;
}
Network complete(std::int32_t n) {
  Network net;
  net.n = n;
  net.complete = true;
  return net;
}
CascadeRules threshold_rules(ThresholdRule rule) {
  CascadeRules r;
  r.rule = rule;
  r.w_social = 1.0f;
  return r;
}
}  // namespace

TEST_CASE("a fraction-rule cascade walks a path one agent per round", "[participation]") {
  // On a path every interior agent has 2 neighbours; theta = 0.5 means one participating
  // neighbour is enough, so from agent 0 the cascade advances one agent per round.
  Network net = path_graph(6);
  ParticipationCore core(net, threshold_rules(ThresholdRule::fraction));
  std::vector<float> base(6, 0.0f), theta(6, 0.5f);
  Rng rng(1);
  core.join(0);
  const RoundStats st = core.run_rounds(base.data(), theta.data(), 0, rng);
  CHECK(core.participants() == 6);
  CHECK(st.joined == 5);
  CHECK(st.rounds == 6);  // five rounds with a joiner, then one in which no one joins
  // With theta just above 0.5 interior agents need both neighbours: only the seed stays in.
  ParticipationCore core2(net, threshold_rules(ThresholdRule::fraction));
  std::vector<float> theta2(6, 0.51f);
  theta2[1] = 0.5f;  // agent 1 still joins (one of two neighbours)
  core2.join(0);
  core2.run_rounds(base.data(), theta2.data(), 0, rng);
  CHECK(core2.participants() == 2);
}

TEST_CASE("k rounds per call stop the cascade after k rounds", "[participation]") {
  Network net = path_graph(10);
  ParticipationCore core(net, threshold_rules(ThresholdRule::fraction));
  std::vector<float> base(10, 0.0f), theta(10, 0.5f);
  Rng rng(1);
  core.join(0);
  auto st = core.run_rounds(base.data(), theta.data(), 3, rng);
  CHECK(st.rounds == 3);
  CHECK(core.participants() == 4);
  st = core.run_rounds(base.data(), theta.data(), 3, rng);  // the action continues
  CHECK(core.participants() == 7);
}

TEST_CASE("count and fraction rules differ as defined, trust weights the sum", "[participation]") {
  // Star with 4 leaves, all leaves participate: the hub sees S = 4 * tau.
  for (float tau : {1.0f, 0.5f}) {
    Network net = star(4, tau);
    std::vector<float> base(5, 0.0f);
    Rng rng(1);
    {
      ParticipationCore core(net, threshold_rules(ThresholdRule::count));
      std::vector<float> theta(5, 100.0f);
      theta[0] = 4.0f * tau;  // exactly met
      for (int i = 1; i <= 4; ++i) core.join(i);
      core.run_rounds(base.data(), theta.data(), 0, rng);
      CHECK(core.x()[0] == 1);
      CHECK(core.social_sum()[0] == Approx(4.0 * tau));
    }
    {
      ParticipationCore core(net, threshold_rules(ThresholdRule::fraction));
      std::vector<float> theta(5, 100.0f);
      theta[0] = tau + 1e-6f;  // fraction n_0 = 4 tau / 4 = tau: just short
      for (int i = 1; i <= 4; ++i) core.join(i);
      core.run_rounds(base.data(), theta.data(), 0, rng);
      CHECK(core.x()[0] == 0);
    }
  }
}

TEST_CASE("the base utility alone can make agents join in the first round", "[participation]") {
  Network net = path_graph(4);
  ParticipationCore core(net, threshold_rules(ThresholdRule::fraction));
  std::vector<float> base = {0.2f, 0.6f, 0.0f, 0.0f}, theta(4, 0.5f);
  Rng rng(1);
  const auto st = core.run_rounds(base.data(), theta.data(), 0, rng);
  // Agent 1 joins on its own (0.6 >= 0.5); then 0 (0.2 + 1) and 2 (0 + 0.5) follow; then 3.
  CHECK(core.participants() == 4);
  CHECK(st.by_threshold == 4);
}

TEST_CASE("with every channel off nothing but the seeds participates", "[participation]") {
  Network net = path_graph(50);
  CascadeRules r;
  r.rule = ThresholdRule::off;
  r.contagion_probability = 0.0;
  ParticipationCore core(net, r);
  std::vector<float> base(50, 10.0f), theta(50, 0.0f);
  Rng rng(1);
  core.join(3);
  core.join(7);
  core.broadcast(0.0, 1.0, rng);
  core.run_rounds(base.data(), theta.data(), 0, rng);
  CHECK(core.participants() == 2);
}

TEST_CASE("contagion with probability 1 on full trust floods a connected graph", "[participation]") {
  Network net = path_graph(30);
  CascadeRules r;
  r.rule = ThresholdRule::off;
  r.contagion_probability = 1.0;
  for (Attempts a : {Attempts::once, Attempts::every_round}) {
    r.attempts = a;
    ParticipationCore core(net, r);
    std::vector<float> base(30, 0.0f), theta(30, 1.0f);
    Rng rng(2);
    core.join(0);
    core.run_rounds(base.data(), theta.data(), 0, rng);
    CHECK(core.participants() == 30);
  }
  // Zero trust blocks contagion entirely.
  Network cold = path_graph(30, 0.0f);
  ParticipationCore core(cold, r);
  std::vector<float> base(30, 0.0f), theta(30, 1.0f);
  Rng rng(2);
  core.join(0);
  core.run_rounds(base.data(), theta.data(), 0, rng);
  CHECK(core.participants() == 1);
}

TEST_CASE("once-contagion on a star converts each leaf with probability beta*tau", "[participation]") {
  // One hub seed, L leaves, each converted independently with p = beta * tau = 0.3 * 0.5.
  const int L = 20000;
  Network net = star(L, 0.5f);
  CascadeRules r;
  r.rule = ThresholdRule::off;
  r.contagion_probability = 0.3;
  r.attempts = Attempts::once;
  ParticipationCore core(net, r);
  std::vector<float> base(L + 1, 0.0f), theta(L + 1, 1.0f);
  Rng rng(3);
  core.join(0);
  core.run_rounds(base.data(), theta.data(), 0, rng);
  const double p = 0.15;
  const double got = static_cast<double>(core.participants() - 1) / L;
  CHECK(std::fabs(got - p) < 4 * std::sqrt(p * (1 - p) / L));
}

TEST_CASE("every_round contagion keeps trying, once tries only once", "[participation]") {
  // Two agents, one tie, beta = 0.2: with `once` the seed gets one try; with every_round and
  // k rounds the neighbour is in after k rounds with probability 1 - 0.8^k.
  const int trials = 20000, k = 5;
  Network net = path_graph(2);
  std::vector<float> base(2, 0.0f), theta(2, 1.0f);
  int once_in = 0, every_in = 0;
  Rng rng(4);
  for (int t = 0; t < trials; ++t) {
    for (Attempts a : {Attempts::once, Attempts::every_round}) {
      CascadeRules r;
      r.rule = ThresholdRule::off;
      r.contagion_probability = 0.2;
      r.attempts = a;
      ParticipationCore core(net, r);
      core.join(0);
      core.run_rounds(base.data(), theta.data(), k, rng);
      (a == Attempts::once ? once_in : every_in) += core.x()[1];
    }
  }
  const double p_once = 0.2, p_every = 1 - std::pow(0.8, k);
  CHECK(std::fabs(static_cast<double>(once_in) / trials - p_once) <
        4 * std::sqrt(p_once * (1 - p_once) / trials));
  CHECK(std::fabs(static_cast<double>(every_in) / trials - p_every) <
        4 * std::sqrt(p_every * (1 - p_every) / trials));
}

TEST_CASE("broadcast converts a share reach * conversion", "[participation]") {
  const int n = 50000;
  Network net = complete(n);
  CascadeRules r;
  r.rule = ThresholdRule::off;
  ParticipationCore core(net, r);
  Rng rng(5);
  const auto joined = core.broadcast(0.4, 0.25, rng);
  const double p = 0.1;
  CHECK(std::fabs(static_cast<double>(joined) / n - p) < 4 * std::sqrt(p * (1 - p) / n));
  CHECK(core.participants() == joined);
}

TEST_CASE("mean-field cascades use the global count", "[participation]") {
  // Granovetter's crowd: thresholds 0..n-1 as counts; everyone joins. Removing the person with
  // threshold 1 (setting it to 2) stops the cascade at the instigator.
  const int n = 100;
  Network net = complete(n);
  std::vector<float> base(n, 0.0f), theta(n);
  std::iota(theta.begin(), theta.end(), 0.0f);
  Rng rng(1);
  ParticipationCore core(net, threshold_rules(ThresholdRule::count));
  core.run_rounds(base.data(), theta.data(), 0, rng);
  CHECK(core.participants() == n);
  theta[1] = 2.0f;
  ParticipationCore core2(net, threshold_rules(ThresholdRule::count));
  core2.run_rounds(base.data(), theta.data(), 0, rng);
  CHECK(core2.participants() == 1);
}

TEST_CASE("leaving and recomputing the social sum equals the incremental sum", "[participation]") {
  Network net = path_graph(8, 0.7f);
  ParticipationCore core(net, threshold_rules(ThresholdRule::count));
  std::vector<float> base(8, 0.0f), theta(8, 0.7f);
  Rng rng(1);
  core.join(0);
  core.run_rounds(base.data(), theta.data(), 3, rng);
  const auto incremental = core.social_sum();
  core.recompute_social();
  for (std::size_t i = 0; i < incremental.size(); ++i)
    CHECK(core.social_sum()[i] == Approx(incremental[i]));
  core.leave(2);
  core.recompute_social();
  CHECK(core.social_sum()[1] == Approx(0.7f));  // only agent 0 is left next to 1
  CHECK(core.social_sum()[3] == Approx(0.0f));  // agent 3's participating neighbours: none
}

TEST_CASE("a private decision reads the public supporters once, and a seed can say no",
          "[participation][elections]") {
  // Path 0-1-2-3, fraction rule, seed {1}: agents 0 and 2 see one public supporter (0 has one
  // neighbour: n = 1; 2 has two: n = 0.5), agent 3 sees none. The seed itself decides by its own
  // utility like everyone else.
  Network net = path_graph(4);
  ParticipationCore core(net, threshold_rules(ThresholdRule::fraction));
  std::vector<float> base = {0.0f, -1.0f, 0.0f, 0.3f};
  std::vector<float> theta = {0.6f, 0.0f, 0.6f, 0.3f};
  core.join(1);
  std::vector<std::uint8_t> yes;
  const std::int64_t k = core.decide_privately(base.data(), theta.data(), yes);
  // 0: 0 + 1.0 >= 0.6 yes; 1 (the seed): -1 + 0 < 0 no; 2: 0 + 0.5 < 0.6 no; 3: 0.3 >= 0.3 yes.
  CHECK(yes == std::vector<std::uint8_t>{1, 0, 0, 1});
  CHECK(k == 2);
  // No rounds: in a cascade agent 2 would next see 3's yes (0.5 + 0.5 >= 0.6); nobody sees a ballot.
  CHECK(core.participants() == 1);  // the participants are left as they were
  CHECK(core.x()[1] == 1);
}

TEST_CASE("a private decision says yes to a subset of what the open cascade reaches",
          "[participation][elections]") {
  // Given the same seeds, base and thresholds, every private yes fires in the cascade's first
  // round (or is a seed), so the secret ballot's yes votes are contained in the open vote's.
  Rng g(2026);
  for (int trial = 0; trial < 40; ++trial) {
    const std::int32_t n = 60;
    std::vector<std::pair<std::int32_t, std::int32_t>> ties;
    for (std::int32_t i = 0; i < n; ++i)
      for (std::int32_t j = i + 1; j < n; ++j)
        if (g.uniform() < 0.08) ties.emplace_back(i, j);
    Network net = csr_from_ties(n, ties);
    for (auto& t : net.trust) t = static_cast<float>(g.uniform());
    std::vector<float> base(n), theta(n);
    for (std::int32_t i = 0; i < n; ++i) {
      base[i] = static_cast<float>(g.uniform() - 0.5);
      theta[i] = static_cast<float>(g.uniform() * 0.6);
    }
    ParticipationCore secret(net, threshold_rules(ThresholdRule::fraction));
    ParticipationCore open(net, threshold_rules(ThresholdRule::fraction));
    for (std::int32_t i = 0; i < n; i += 5) {
      secret.join(i);
      open.join(i);
    }
    std::vector<std::uint8_t> yes;
    const std::int64_t k = secret.decide_privately(base.data(), theta.data(), yes);
    Rng r(1);
    open.run_rounds(base.data(), theta.data(), 0, r);
    std::int64_t inside = 0;
    for (std::int32_t i = 0; i < n; ++i) inside += yes[i] && open.x()[i] ? 1 : 0;
    CHECK(inside == k);
    CHECK(k <= open.participants());
  }
}
