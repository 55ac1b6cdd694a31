// The organizing mechanisms: each activity's direction and size on hand-computed cases, limit
// cases, and comparative statics over seeds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/simulation.hpp"
#include "helpers.hpp"
#include "model/organizing.hpp"

using namespace orgsim;
using nlohmann::json;

namespace {
ModelConfig config(const std::vector<std::string>& sets = {}) {
  const char* text = R"({"name": "t", "steps": 10, "replicates": 1, "seed": 1,
    "population": {"size": 6, "grievance": {"distribution": "constant", "value": 0.4},
                   "fear": {"distribution": "constant", "value": 0.5}},
    "network": {"type": "complete"},
    "trust": {"initial": {"distribution": "constant", "value": 0.1}, "voice": 0.4},
    "campaign": {"skill": 1},
    "one_on_one": {"trust_gain": 0.15, "agitation": 0.15, "inoculation": 0.2, "ask_base": 0.05,
                   "ask_trust": 0.5, "ask_grievance": 0.3, "ask_fear": 0.4, "ask_fatigue": 0.3,
                   "commitment_gain": 0.25},
    "issue_push": {"agitation": 0.15, "backfire_trust": 0.3, "backfire_fatigue": 0.2,
                   "backfire_commitment": 0.1},
    "social": {"trust_gain": 0.06, "attendees": 5},
    "follow_up": {"uplift": 0.1, "trust_gain": 0.05},
    "messaging": {"awareness_gain": 0.6},
    "ladder": {"supporter": 0.2, "member": 0.5, "leader": 0.8, "ceiling": 0},
    "tasks": {"due_steps": 0}, "weaving": {"referral": 0, "social_ties": 0},
    "reach": {"saturation": 0}, "burnout": {"rate": 0}, "types": {"selfish": 0, "selfless": 0}})";
  // Every parameter these hand-computed cases use is pinned above, so that changing a default
  // does not silently change what the tests claim.
  return test::config_from_text(text, sets);
}
using test::population;
/// A clique of k agents with trust tau on every tie.
Network clique(std::int32_t k, float tau) {
  std::vector<std::pair<std::int32_t, std::int32_t>> ties;
  for (std::int32_t i = 0; i < k; ++i)
    for (std::int32_t j = i + 1; j < k; ++j) ties.emplace_back(i, j);
  Network net = csr_from_ties(k, ties);
  std::fill(net.trust.begin(), net.trust.end(), tau);
  return net;
}
}  // namespace

TEST_CASE("a one-on-one below voice builds trust and nothing else", "[organizing]") {
  const ModelConfig cfg = config();
  Population pop = population(cfg);
  Network net = clique(6, 0.1f);
  World w{cfg, pop, net, 0.0, 0};
  pop.staff_trust[2] = 0.2f;
  Rng rng(3);
  const bool yes = one_on_one(w, staff_contact(2), rng);
  CHECK_FALSE(yes);
  CHECK(pop.staff_trust[2] == Approx(0.2 + 0.15 * 0.8));  // tau += a1 skill (1 - tau)
  CHECK(pop.known[2] == 0);
  CHECK(pop.evaluated[2] == 0);
  CHECK(pop.grievance[2] == Approx(0.4));
  CHECK(pop.commitment[2] == 0.0f);
  // Peer trust is untouched by a staff conversation.
  for (float tau : net.trust) CHECK(tau == 0.1f);
}

TEST_CASE("a one-on-one at voice uncovers, agitates, inoculates, asks and evaluates",
          "[organizing]") {
  const ModelConfig cfg = config();
  Population pop = population(cfg);
  Network net = clique(6, 0.5f);
  World w{cfg, pop, net, 0.1, 0};
  Rng rng(3);
  const Contact c = tie_contact(net, 0, 1);
  // After the conversation: tau = 0.5 + 0.15 * 0.5 = 0.575, g = 0.4 + 0.15 * 0.6 = 0.49,
  // v = 0.2; p = 0.05 + 0.5 * 0.575 + 0.3 * clamp(0.49 + 0.1) - 0.4 * 0.5 * 0.8 - 0 = 0.3545.
  one_on_one(w, c, rng);
  CHECK(net.trust[static_cast<std::size_t>(c.entry)] == Approx(0.575));
  CHECK(net.trust[static_cast<std::size_t>(c.twin)] == Approx(0.575));
  CHECK(pop.known[1] == 1);
  CHECK(pop.evaluated[1] == 1);
  CHECK(pop.grievance[1] == Approx(0.49));
  CHECK(pop.inoculation[1] == Approx(0.2));
  CHECK(ask_probability(w, c) == Approx(0.05 + 0.5 * 0.575 + 0.3 * 0.59 - 0.4 * 0.5 * 0.8));
}

TEST_CASE("the commitment ask succeeds with its probability", "[organizing]") {
  const ModelConfig cfg = config({"one_on_one.trust_gain=0", "one_on_one.agitation=0",
                                  "one_on_one.inoculation=0"});
  const int trials = 20000;
  int yes = 0;
  Rng rng(5);
  double p = 0;
  for (int k = 0; k < trials; ++k) {
    Population pop = population(cfg);
    Network net = clique(6, 0.6f);
    World w{cfg, pop, net, 0.0, 0};
    const Contact c = tie_contact(net, 0, 1);
    p = ask_probability(w, c);
    if (one_on_one(w, c, rng)) {
      ++yes;
      CHECK(pop.commitment[1] == Approx(0.25));  // c += 0.25 (1 - 0)
    }
  }
  CHECK(p == Approx(0.05 + 0.5 * 0.6 + 0.3 * 0.4 - 0.4 * 0.5));
  CHECK(std::fabs(static_cast<double>(yes) / trials - p) < 4 * std::sqrt(p * (1 - p) / trials));
}

TEST_CASE("zero trust gain: one-on-ones build no trust", "[organizing][limits]") {
  const ModelConfig cfg = config({"one_on_one.trust_gain=0"});
  Population pop = population(cfg);
  Network net = clique(6, 0.2f);
  World w{cfg, pop, net, 0.0, 0};
  Rng rng(1);
  for (int k = 0; k < 50; ++k) one_on_one(w, tie_contact(net, 0, 1 + k % 5), rng);
  for (float tau : net.trust) CHECK(tau == 0.2f);
  CHECK(pop.commitment.maxCoeff() == 0.0f);  // below voice no ask is ever made
}

TEST_CASE("an issue push backfires below voice and agitates at voice", "[organizing]") {
  const ModelConfig cfg = config();
  Population pop = population(cfg);
  Network net = clique(6, 0.3f);
  pop.commitment[1] = 0.5f;
  World w{cfg, pop, net, 0.0, 0};
  const Contact c = tie_contact(net, 0, 1);
  CHECK(issue_push(w, c));
  CHECK(net.trust[static_cast<std::size_t>(c.entry)] == Approx(0.3 * 0.7));
  CHECK(net.trust[static_cast<std::size_t>(c.twin)] == Approx(0.3 * 0.7));
  CHECK(pop.fatigue[1] == Approx(0.2));
  CHECK(pop.commitment[1] == Approx(0.45));
  CHECK(pop.grievance[1] == Approx(0.4));

  const Contact d = tie_contact(net, 0, 2);
  net.trust[static_cast<std::size_t>(d.entry)] = net.trust[static_cast<std::size_t>(d.twin)] = 0.4f;
  CHECK_FALSE(issue_push(w, d));  // at the voice threshold: no backfire
  CHECK(net.trust[static_cast<std::size_t>(d.entry)] == 0.4f);
  CHECK(pop.grievance[2] == Approx(0.4 + 0.15 * 0.6));
  CHECK(pop.fatigue[2] == 0.0f);
}

TEST_CASE("social time raises trust on every tie among the attendees", "[organizing]") {
  const ModelConfig cfg = config({"social.attendees=3"});
  Population pop = population(cfg);
  Network net = clique(4, 0.2f);  // host 0 and its three neighbours, all tied
  World w{cfg, pop, net, 0.0, 0};
  Rng rng(1);
  CHECK(social_time(w, 0, rng) == 6);  // 4 attendees: 6 ties
  for (float tau : net.trust) CHECK(tau == Approx(0.2 + 0.06 * 0.8));
}

TEST_CASE("social time strengthens exactly the ties among attendees and introduces the rest",
          "[organizing]") {
  // Host 3 with neighbours 0, 1, 5, 6, 8 (all attend: attendees = 5); among them only 0-5, 1-8
  // and 5-6 are tied; 2, 4, 7 are outside and tied to some of them; 2-4 is a tie of no one's.
  const std::vector<std::pair<std::int32_t, std::int32_t>> ties = {
      {3, 0}, {3, 1}, {3, 5}, {3, 6}, {3, 8}, {0, 5}, {1, 8}, {5, 6},
      {0, 2}, {2, 5}, {4, 6}, {7, 8}, {1, 7}, {2, 4}};
  auto tied = [&](std::int32_t a, std::int32_t b) {
    for (const auto& [u, v] : ties)
      if ((u == a && v == b) || (u == b && v == a)) return true;
    return false;
  };
  const std::vector<std::int32_t> guests = {0, 1, 3, 5, 6, 8};
  auto attends = [&](std::int32_t i) {
    return std::find(guests.begin(), guests.end(), i) != guests.end();
  };
  for (const char* weave : {"weaving.social_ties=0", "weaving.social_ties=1"}) {
    INFO(weave);
    const ModelConfig cfg = config({weave});
    Population pop = population(cfg);
    Network net = csr_from_ties(9, ties);
    std::fill(net.trust.begin(), net.trust.end(), 0.2f);
    World w{cfg, pop, net, 0.0, 0};
    Rng rng(1);
    CHECK(social_time(w, 3, rng) == 8);  // the host's 5 ties and 3 among the guests
    for (std::int32_t i = 0; i < 9; ++i)
      for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
        const std::int32_t j = net.neighbors[e];
        INFO(i << "-" << j);
        CHECK(net.trust[e] == (attends(i) && attends(j) ? Approx(0.2 + 0.06 * 0.8) : Approx(0.2)));
      }
    // Weaving at 1: every pair of guests not yet acquainted (15 pairs, 8 tied) is introduced.
    std::size_t untied = 0;
    for (std::size_t a = 0; a < guests.size(); ++a)
      for (std::size_t b = a + 1; b < guests.size(); ++b)
        untied += tied(guests[a], guests[b]) ? 0 : 1;
    CHECK(untied == 7);
    CHECK(net.new_ties.size() == (std::string(weave).back() == '1' ? untied : 0u));
    for (const auto& t : net.new_ties) {
      CHECK(attends(t.u));
      CHECK(attends(t.v));
      CHECK_FALSE(tied(t.u, t.v));
    }
  }
}

TEST_CASE("follow-up uplifts commitment, training multiplies organizers", "[organizing]") {
  const ModelConfig cfg = config({"training.sessions=3"});
  Population pop = population(cfg);
  Network net = clique(6, 0.5f);
  World w{cfg, pop, net, 0.0, 0};
  pop.commitment[3] = 0.5f;
  follow_up(w, tie_contact(net, 0, 3));
  CHECK(pop.commitment[3] == Approx(0.55));
  CHECK_FALSE(training_session(w, 4));
  CHECK_FALSE(training_session(w, 4));
  CHECK(pop.role[4] == Role::member);
  CHECK(training_session(w, 4));
  CHECK(pop.role[4] == Role::worker_organizer);
}

TEST_CASE("broadcast raises awareness and recruits anonymous supporters without trust",
          "[organizing]") {
  const ModelConfig cfg = config({"messaging.reach=1", "messaging.supporter_rate=0"});
  Population pop = population(cfg);
  Network net = clique(6, 0.1f);
  World w{cfg, pop, net, 0.0, 0};
  Rng rng(1);
  CHECK(messaging_blast(w, rng) == 6);
  for (int i = 0; i < 6; ++i) CHECK(pop.awareness[i] == Approx(0.6));
  CHECK(pop.commitment.maxCoeff() == 0.0f);
  for (float tau : net.trust) CHECK(tau == 0.1f);
  CHECK(pop.staff_trust.maxCoeff() == 0.0f);

  const ModelConfig all = config({"messaging.reach=1", "messaging.supporter_rate=1",
                                  "population.grievance.value=1"});
  Population pop2 = population(all);
  World w2{all, pop2, net, 0.0, 0};
  messaging_blast(w2, rng);
  for (int i = 0; i < 6; ++i) CHECK(pop2.commitment[i] == Approx(0.2));  // the supporter rung
}
