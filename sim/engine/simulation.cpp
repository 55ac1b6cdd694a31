#include "engine/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "io/outputs.hpp"
#include "model/actions.hpp"
#include "model/decay.hpp"
#include "model/elections.hpp"
#include "model/environment.hpp"

namespace orgsim {

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Network make_network(const ModelConfig& cfg, std::uint64_t rep_seed, const Network* prebuilt) {
  Network net;
  if (prebuilt) {
    net = *prebuilt;
  } else {
    Rng rng(rep_seed, Stream::network);
    net = build_network(cfg.network, cfg.n, rng);
  }
  Rng trust_rng(rep_seed, Stream::trust);
  draw_initial_trust(net, cfg.trust_initial, trust_rng, cfg.friendships, cfg.friendship_level);
  return net;
}

}  // namespace

Simulation::Simulation(const ModelConfig& cfg, std::uint64_t rep_seed, const Network* prebuilt)
    : cfg_(cfg),
      rep_seed_(rep_seed),
      rng_climate_(rep_seed, Stream::climate),
      rng_turnover_(rep_seed, Stream::turnover),
      rng_seeds_(rep_seed, Stream::seeds),
      rng_participation_(rep_seed, Stream::participation),
      rng_campaign_(rep_seed, Stream::campaign),
      rng_employer_(rep_seed, Stream::employer),
      net_(make_network(cfg, rep_seed, prebuilt)),
      pop_([&] {
        Rng rng(rep_seed, Stream::population);
        return draw_population(cfg, rng);
      }()),
      latent_support_(latent_support(cfg, pop_)),
      climate_model_(cfg.climate),
      rules_(cascade_rules(cfg)),
      core_(net_, rules_),
      defense_rules_(defense_rules(cfg)),
      campaign_([&] {
        World w = world();
        return Campaign(w, rng_campaign_);
      }()),
      wins_(cfg.wins),
      base_(static_cast<std::size_t>(cfg.n), 0.0f),
      crowd_(cfg.n),
      series_(per_step_outputs().size() * static_cast<std::size_t>(cfg.steps), kNaN) {}

void Simulation::run() {
  while (t_ < cfg_.steps) step();
}

void Simulation::step() {
  // The per-step series are sized for cfg.steps: a step past the end is a caller's error (it
  // would write past them).
  if (t_ >= cfg_.steps)
    throw std::logic_error("Simulation::step: the run has " + std::to_string(cfg_.steps) +
                           " steps and all were taken");
  using Clock = std::chrono::steady_clock;
  auto timed = [this](int k, auto&& phase) {
    const auto t0 = Clock::now();
    phase();
    phase_seconds_[static_cast<std::size_t>(k)] +=
        std::chrono::duration<double>(Clock::now() - t0).count();
  };
  timed(0, [this] { environment_phase(); });
  timed(1, [this] { organizing_phase(); });
  timed(2, [this] { action_phase(); });
  timed(3, [this] { wins_phase(); });
  timed(4, [this] { decay_phase(); });
  timed(5, [this] { record_phase(); });
#ifdef ORGSIM_CHECK_INVARIANTS
  check_invariants();
#endif
  ++t_;
}

// ---- 1. environment ----------------------------------------------------------------------------

void Simulation::environment_phase() {
  climate_now_ = climate_model_.advance(t_, rng_climate_);
  // The employer's counter-campaign raises fear once the campaign has surfaced (after an action).
  if (cfg_.counter_campaign > 0 && actions_ > 0) {
    counter_campaign(pop_, cfg_.counter_campaign);
    touch(kFear);
  }
  turnover(cfg_, pop_, net_, t_, stream_seed(rep_seed_, Stream::turnover), rng_turnover_, left_);
  // The weeks between an election's announcement and its vote: the employer's counter-campaign.
  if (in_notice_weeks(t_, announced_at_, election_at_)) {
    const CounterCampaignWeek w =
        election_counter_campaign(cfg_, pop_, net_, t_, stream_seed(rep_seed_, Stream::turnover),
                                  rng_employer_, left_, threaten_, fire_);
    threats_ += w.threats;
    firings_ += w.firings;
    touch(kFear);
  }
  if (left_.empty()) return;
  touch_all();  // new hires: fresh draws and ties reset
  const bool continuing = cfg_.policy == ActionPolicy::continuous && t_ > cfg_.first_action;
  if (continuing) {
    for (auto i : left_) core_.leave(i);
    core_.recompute_social();
  }
}

// ---- 2. organizing work ------------------------------------------------------------------------

void Simulation::organizing_phase() {
  World w = world();
  // Who this step's blasts reach (cleared only when the last step's reached anyone).
  // Only a campaign blasts: without one reached_ stays empty (count_join_causes reads it so).
  const auto n = static_cast<std::size_t>(cfg_.n);
  if (arrays_needed(cfg_).campaign && reached_.size() != n) reached_.assign(n, 0);
  else if (tally_.broadcast_reached > 0) std::fill(reached_.begin(), reached_.end(), 0);
  w.reached = &reached_;
  tally_ = campaign_.work(w, rng_campaign_);
  reached_total_ += tally_.broadcast_reached;
  backfires_total_ += tally_.backfires;
  auto& T = tally_total_;
  T.tasks_asked += tally_.tasks_asked;
  T.tasks_done += tally_.tasks_done;
  T.tasks_missed += tally_.tasks_missed;
  T.ties_created += tally_.ties_created;
  T.ties_bridging += tally_.ties_bridging;
  T.burnouts += tally_.burnouts;
  T.leaders_found += tally_.leaders_found;
  T.new_organizers += tally_.new_organizers;
  T.one_on_ones_staff += tally_.one_on_ones_staff;
  T.one_on_ones_peer += tally_.one_on_ones_peer;
  double hours = 0.0;
  for (double h : tally_.hours) hours += h;
  if (hours > 0.0 || tally_.blasts > 0 || tally_.tasks_done + tally_.tasks_missed > 0) touch_all();
  // Ties introduced during the step join the graph now (entry indices change; every per-entry
  // array follows). A continuing action's social sums are recomputed on the new graph.
  if (net_.merge_new_ties() > 0) {
    touch(kTrust);
    if (cfg_.policy == ActionPolicy::continuous && t_ > cfg_.first_action) core_.recompute_social();
  }
}

// ---- 3. collective action ----------------------------------------------------------------------

bool Simulation::action_due() {
  return orgsim::action_due(cfg_, t_, last_action_step_, climate_now_,
                            [this] { return assessed(); });
}

void Simulation::place_seeds() {
  for (auto i : choose_seeds(cfg_.seed_set, pop_, net_, cfg_.n, rng_seeds_)) core_.join(i);
}

bool Simulation::refresh_base() {
  // The base reads grievance, commitment, fear and inoculation, the climate, and for invitations
  // trust, awareness and staff trust: recomputed only when one of them may have changed.
  std::uint64_t key = 0;
  for (auto v : version_) key += v;  // counters only grow, so the sum changes when any does
  if (key == base_at_ && climate_now_ == base_climate_) return false;
  utility_base(cfg_, pop_, net_, climate_now_, campaign_.staff() > 0, base_, scratch_,
               &invite_source_);
  base_at_ = key;
  base_climate_ = climate_now_;
  ++base_serial_;
  return true;
}

void Simulation::action_phase() {
  joined_now_ = 0;
  rounds_now_ = 0;
  won_now_ = false;
  joined_by_ = {};
  responders_now_ = 0;
  power_now_ = cohesion_now_ = std::nan("");
  if (election_kind()) {
    // An election is called by the policy, announced, and held notice_steps weeks later; once
    // one is won (the union is certified) no other is called.
    action_now_ = false;
    if (election_at_ < 0) {
      if (certified_ || !action_due()) return;
      announced_at_ = t_;
      election_at_ = t_ + cfg_.notice_steps;
      // The employer's consultants choose the campaign's tactics once, at the petition: threats
      // with chance elections.threat_campaign, then firings with chance firing_campaign (one
      // uniform each from the employer stream, only for a share strictly between 0 and 1).
      threaten_ = employer_chooses(cfg_.elections.threat_campaign, rng_employer_);
      fire_ = employer_chooses(cfg_.elections.firing_campaign, rng_employer_);
      threat_campaigns_ += threaten_ ? 1 : 0;
      firing_campaigns_ += fire_ ? 1 : 0;
    }
    if (t_ < election_at_) return;
    action_now_ = true;
  } else {
    action_now_ = action_due();
  }
  if (!action_now_) return;
  const bool fresh = cfg_.policy != ActionPolicy::continuous || t_ == cfg_.first_action;
  const std::int64_t before_step = fresh ? 0 : core_.participants();
  const std::size_t log_from = fresh ? 0 : core_.joined_log().size();
  if (fresh) {
    core_.reset();
    place_seeds();
    ++actions_;
    continuous_won_ = false;
  }
  refresh_base();
  // The rounds may skip the unchanged part of a continuing action only if the base is the one
  // its previous rounds saw (the defense may have recomputed it since).
  const bool base_changed = base_serial_ != action_base_serial_ || fresh || !left_.empty();
  action_base_serial_ = base_serial_;
  if (election_kind() && cfg_.elections.ballot == Ballot::secret) {
    // The secret ballot: the seeds are the coworkers whose support is public; every worker,
    // seeds included, then decides once and privately. The participants become the yes votes.
    core_.decide_privately(base_.data(), pop_.threshold.data(), ballot_);
    ballot_social_ = core_.social_sum();  // what each voter saw: the public supporters
    core_.reset();
    for (std::int32_t i = 0; i < cfg_.n; ++i)
      if (ballot_[static_cast<std::size_t>(i)]) core_.join(i, JoinCause::threshold);
    rounds_now_ = 1;
    rounds_total_ += 1;
    joined_now_ = core_.participants();
    count_join_causes(0, ballot_social_);
  } else {
    core_.broadcast(cfg_.broadcast_reach, cfg_.broadcast_conversion, rng_participation_);
    const RoundStats st = core_.run_rounds(base_.data(), pop_.threshold.data(), cfg_.rounds,
                                           rng_participation_, base_changed);
    rounds_now_ = st.rounds;
    rounds_total_ += st.rounds;
    joined_now_ = core_.participants() - before_step;
    count_join_causes(log_from, core_.social_sum());
  }
  if (std::isnan(first_participants_)) first_participants_ = static_cast<double>(core_.participants());
  responders_total_ += responders_now_;
  last_action_step_ = t_;
  after_action(fresh);
}

void Simulation::count_join_causes(std::size_t from, const std::vector<float>& s) {
  const JoinCauses j = orgsim::count_join_causes(core_.joined_log(), from, core_.x(), core_.cause(),
                                                 invite_source_, cfg_.w_social, s, reached_);
  joined_by_ = j.by;
  responders_now_ = j.responders;
}

void Simulation::after_action(bool fresh) {
  const auto& x = core_.x();
  const double turnout = static_cast<double>(core_.participants()) / cfg_.n;
  double c = 0.0;
  const bool gain = cfg_.action_trust_gain > 0 && !election_kind();  // a vote is not acting together
  if (net_.complete) {
    c = core_.participants() >= 2 ? cfg_.trust_initial.value : 0.0;
  } else if (gain) {
    // The crowd's cohesion is measured in the pass that strengthens its ties.
    c = cohesion_then_strengthen(net_, x, cfg_.action_trust_gain);
    if (core_.participants() < 2) c = 0.0;
    touch(kTrust);
  } else if (core_.participants() >= 2) {
    // Trust does not change by acting: a continuing action whose crowd only grew on unchanged
    // trust adds its new participants' ties; otherwise the crowd is measured afresh.
    const auto& log = core_.joined_log();
    if (fresh || crowd_trust_at_ != version_[kTrust] || !left_.empty() || crowd_seen_ > log.size()) {
      crowd_.reset();
      crowd_seen_ = 0;
      crowd_trust_at_ = version_[kTrust];
    }
    for (; crowd_seen_ < log.size(); ++crowd_seen_) {
      const std::int32_t i = log[crowd_seen_];
      if (x[static_cast<std::size_t>(i)]) crowd_.add(net_, i);
    }
    c = crowd_.value();
  }
  cohesion_now_ = c;
  power_now_ = action_power(turnout, c, cfg_.power_floor);
  ActionEvent ev;
  ev.step = t_;
  ev.cohesion = c;
  ev.power = power_now_;
  bool won = false;
  if (election_kind()) {
    // The vote: the participants are those who would vote yes (count_votes: the participation
    // stream draws who casts a vote).
    const VoteCount vote = count_votes(x, cfg_.elections.turnout, rng_participation_);
    won = vote.won;
    const std::int64_t cast = vote.cast, yes = vote.yes;
    ev.kind = 1;
    ev.turnout = static_cast<double>(cast) / cfg_.n;
    ev.support = cast > 0 ? static_cast<double>(yes) / static_cast<double>(cast) : 0.0;
    ev.notice_weeks = t_ - announced_at_;
    election_at_ = announced_at_ = -1;
    if (std::isnan(first_election_won_)) first_election_won_ = won ? 1.0 : 0.0;
  } else {
    // A scheduled, hot or ready action is won or lost when its rounds end; a continuous action
    // (a petition drive) wins once, the first step its power reaches the resistance. Near the
    // line the outcome is a chance: one uniform from the employer stream per decided action
    // when actions.win_width > 0.
    const bool undecided = fresh || !continuous_won_;
    if (undecided) {
      won = decide_action(power_now_, cfg_.resistance, cfg_.win_width, rng_employer_);
    }
    ev.turnout = ev.support = turnout;
  }
  const bool decided = fresh || (won && !continuous_won_);
  if (won && decided) {
    pending_win_ = power_now_;  // enters the book after this step's push (no 0-step reversals)
    won_now_ = true;
    if (!fresh) continuous_won_ = true;
    if (election_kind()) {
      certified_ = true;
      ++elections_won_;
      election_win_ = wins_.wins();  // the index the win takes in the book
      election_event_ = events_.size();
    }
  }
  ev.won = won || (!fresh && continuous_won_);
  if (fresh || events_.empty()) events_.push_back(ev);
  else events_.back() = ev;  // a continuing action: its row follows it
  ActionConsequences what;
  what.won = decided && won;
  what.lost = fresh && !won;
  what.mark_last_action = cfg_.strategy != Strategy::none;
  what.secret = election_kind();
  const Touched touched = consequences(cfg_, pop_, x, t_, what);
  if (touched.commitment) touch(kCommitment);
  if (touched.fear) touch(kFear);
  if (what.lost) {
    const auto [staff, peer] = blame_callers(cfg_, pop_, net_, x, campaign_.staff() > 0);
    if (staff) touch(kStaffTrust);
    if (peer) touch(kTrust);
  }
}

// ---- 4. wins and durability --------------------------------------------------------------------

double Simulation::defense() {
  // The capacity to turn out for the wins (defense_capacity), recomputed only when the utility
  // base changed.
  refresh_base();
  if (defense_.at == base_serial_ && base_serial_ > 0) return defense_.value;
  if (!defense_core_) defense_core_.emplace(net_, defense_rules_);
  const Defense d = defense_capacity(*defense_core_, net_, base_.data(), pop_.threshold.data(),
                                     cfg_.trust_initial.value);
  defense_ = {d.value, base_serial_};
  return defense_.value;
}

void Simulation::wins_phase() {
  // The employer pushes against the wins standing from earlier steps. A win of this step joins
  // the book afterwards, so every win stands at least one step.
  reversed_now_ = 0;
  if (wins_.standing() > 0) {
    // The defense matters to the gap term and to a first contract; it is computed only when a
    // win's fate or the contract's chance depends on it (a full cascade and a pass over the
    // crowd's ties: under big messaging most of a step's work).
    const bool contract_open = election_win_ >= 0 && !consolidated_;
    bool known = false;
    double d = 0.0;
    const std::function<double()> defense_now = [&] {
      if (!known) {
        d = cfg_.wins.hazard > 0.0 || contract_open ? defense() : 0.0;
        known = true;
      }
      return d;
    };
    reversed_now_ = wins_.push_back(t_, defense_now, rng_employer_);
    // A won election not yet consolidated: decertified, or a first contract (settle_election).
    if (election_win_ >= 0 && !consolidated_) {
      const WinEvent& w = wins_.events()[static_cast<std::size_t>(election_win_)];
      switch (settle_election(!w.censored, cfg_.elections.contract_rate, cfg_.wins.hold_fraction,
                              w.strength, defense_now, rng_employer_)) {
        case ElectionFate::decertified:
          ++decertifications_;
          election_win_ = -1;
          break;
        case ElectionFate::contract:
          consolidated_ = true;
          ++consolidated_wins_;
          events_[election_event_].consolidated_step = t_;
          break;
        case ElectionFate::standing: break;
      }
    }
  }
  if (pending_win_ >= 0.0) {
    wins_.record_win(t_, pending_win_);
    pending_win_ = -1.0;
  }
}

// ---- 5. decay ----------------------------------------------------------------------------------

void Simulation::decay_phase() {
  const DecayResult r = decay(cfg_, pop_, net_, scratch_);
  if (r.trust) touch(kTrust);
  if (r.has_trust_stats) trust_stats_ = {r.trust_stats, version_[kTrust]};
  if (r.commitment) touch(kCommitment);
  if (r.staff_trust) touch(kStaffTrust);
  if (r.awareness) touch(kAwareness);
  if (r.grievance) touch(kGrievance);
  if (r.fear) touch(kFear);
}

// ---- 6. record ---------------------------------------------------------------------------------

const RungCounts& Simulation::rungs() {
  if (rungs_.at != version_[kCommitment]) {
    rungs_.value = count_rungs(pop_, cfg_.ladder_supporter, cfg_.ladder_member, cfg_.ladder_leader);
    rungs_.at = version_[kCommitment];
  }
  return rungs_.value;
}

std::int64_t Simulation::assessed() {
  if (cfg_.assessment == Assessment::organized) return rungs().organized;
  return count_yeses(pop_, cfg_.ladder_member);
}

const TrustStats& Simulation::trust_stats_now() {
  if (trust_stats_.at != version_[kTrust]) trust_stats_ = {trust_stats(net_), version_[kTrust]};
  return trust_stats_.value;
}

double Simulation::mean_of(Part p, const Eigen::ArrayXf& a, Cached<double>& c) {
  if (c.at != version_[p]) c = {mean_or_zero(a), version_[p]};
  return c.value;
}

void Simulation::record_phase() {
  const std::size_t T = static_cast<std::size_t>(cfg_.steps);
  measure([&](std::size_t k, double v) {
    series_[k * T + static_cast<std::size_t>(t_)] = static_cast<float>(v);
  });
  if (action_now_) {
    last_turnout_ = static_cast<double>(core_.participants()) / cfg_.n;
    peak_turnout_ =
        std::isnan(peak_turnout_) ? last_turnout_ : std::max(peak_turnout_, last_turnout_);
  }
  win_weeks_ += wins_.standing();
  if (t_ + 1 == cfg_.steps) {
    const RungCounts& r = rungs();
    organized_base_end_ = static_cast<double>(r.organized) / cfg_.n;
    organizers_end_ = static_cast<double>(r.worker_organizers);
  }
}

std::vector<float> Simulation::initial_values() {
  if (t_ != 0)
    throw std::logic_error(
        "Simulation::initial_values: the state before the first step is gone "
        "(step " +
        std::to_string(t_) + ")");
  std::vector<float> v(per_step_outputs().size(), std::nanf(""));
  measure([&](std::size_t k, double x) { v[k] = static_cast<float>(x); });
  // No week has passed: nothing happened during one (flows), and what is drawn with each week
  // (the climate) is not drawn yet.
  for (std::size_t k = 0; k < v.size(); ++k)
    if (!measured_at_week0(per_step_outputs()[k])) v[k] = std::nanf("");
  return v;
}

template <class Put>
void Simulation::measure(Put&& put) {
  static const std::size_t kTurnout = per_step_index("turnout"),
                           kNew = per_step_index("new_participants"),
                           kRounds = per_step_index("rounds"), kPower = per_step_index("power"),
                           kCohesion = per_step_index("cohesion"),
                           kTrustMean = per_step_index("trust_mean"),
                           kStrongShare = per_step_index("strong_tie_share"),
                           kComponent = per_step_index("strong_component"),
                           kSupporter = per_step_index("rung_supporter"),
                           kMember = per_step_index("rung_member"),
                           kLeader = per_step_index("rung_leader"),
                           kBase = per_step_index("organized_base"),
                           kStaff = per_step_index("organizers_staff"),
                           kWorker = per_step_index("organizers_worker"),
                           kBackfires = per_step_index("backfires"),
                           kAwarenessMean = per_step_index("awareness_mean"),
                           kFearMean = per_step_index("fear_mean"),
                           kGrievanceMean = per_step_index("grievance_mean"),
                           kStaffTrustMean = per_step_index("staff_trust_mean"),
                           kClimate = per_step_index("climate"),
                           kTurnover = per_step_index("turnover_share"),
                           kStanding = per_step_index("standing_wins"),
                           kWinsNew = per_step_index("wins_new"),
                           kReversalsNew = per_step_index("reversals_new"),
                           kJoinedInvited = per_step_index("joined_invited"),
                           kJoinedBroadcast = per_step_index("joined_broadcast"),
                           kJoinedOwn = per_step_index("joined_own"),
                           kTasksAsked = per_step_index("tasks_asked"),
                           kTasksDone = per_step_index("tasks_done"),
                           kTasksMissed = per_step_index("tasks_missed"),
                           kTasksRecovered = per_step_index("tasks_recovered"),
                           kTiesCreated = per_step_index("ties_created"),
                           kTiesBridging = per_step_index("ties_bridging"),
                           kBurnouts = per_step_index("burnouts"),
                           kLeadersFound = per_step_index("leaders_found"),
                           kLeadersDeveloped = per_step_index("leaders_developed"),
                           kReached = per_step_index("broadcast_reached"),
                           kResponders = per_step_index("broadcast_responders"),
                           kAssessed = per_step_index("assessed_support");
  static const std::array<std::size_t, kActivities> kHours = [] {
    std::array<std::size_t, kActivities> k{};
    for (int a = 0; a < kActivities; ++a)
      k[static_cast<std::size_t>(a)] = per_step_index(std::string("hours_") + kActivityNames[a]);
    return k;
  }();
  const double n = cfg_.n;
  if (action_now_) {
    const double turnout = static_cast<double>(core_.participants()) / n;
    put(kTurnout, turnout);
    put(kNew, static_cast<double>(joined_now_) / n);
    put(kRounds, rounds_now_);
    put(kPower, power_now_);
    put(kCohesion, cohesion_now_);
    put(kJoinedInvited, static_cast<double>(joined_by_[0]));
    put(kJoinedBroadcast, static_cast<double>(joined_by_[1]));
    put(kJoinedOwn, static_cast<double>(joined_by_[2]));
    put(kResponders, static_cast<double>(responders_now_));
  }
  if (net_.complete) {
    const double tau = cfg_.trust_initial.value;
    put(kTrustMean, n > 1 ? tau : std::nan(""));
    put(kStrongShare, n > 1 ? (tau >= kStrongTie ? 1.0 : 0.0) : std::nan(""));
  } else if (net_.num_entries() > 0) {
    // Every tie is stored twice with the same trust, so entry means equal tie means.
    const TrustStats& ts = trust_stats_now();
    put(kTrustMean, ts.mean());
    put(kStrongShare, ts.strong_share());
    // The largest strong-tie component can change only when a tie crossed the strong line; it
    // is then updated from the ties that crossed (StrongComponents), not recomputed. It is
    // measured every output.component_every steps and at the last step (NaN between: the
    // crossings wait in the network's log).
    const std::int32_t every = std::max(1, cfg_.component_every);
    if (t_ % every == 0 || t_ == cfg_.steps - 1) {
      if (component_.at != net_.strong_changes + 1)
        component_ = {static_cast<double>(strong_components_.update(net_)), net_.strong_changes + 1};
      put(kComponent, component_.value / n);
    } else {
      put(kComponent, std::nan(""));
    }
  }
  const RungCounts& r = rungs();
  const auto workers = static_cast<double>(r.worker_organizers);
  put(kSupporter, static_cast<double>(r.supporter));
  put(kMember, static_cast<double>(r.member));
  put(kLeader, static_cast<double>(r.leader));
  put(kBase, static_cast<double>(r.organized) / n);
  put(kStaff, campaign_.staff());
  put(kWorker, workers);
  for (std::size_t a = 0; a < kHours.size(); ++a) put(kHours[a], tally_.hours[a]);
  put(kBackfires, static_cast<double>(tally_.backfires));
  put(kTasksAsked, static_cast<double>(tally_.tasks_asked));
  put(kTasksDone, static_cast<double>(tally_.tasks_done));
  put(kTasksMissed, static_cast<double>(tally_.tasks_missed));
  put(kTasksRecovered, static_cast<double>(tally_.tasks_recovered));
  put(kTiesCreated, static_cast<double>(tally_.ties_created));
  put(kTiesBridging, static_cast<double>(tally_.ties_bridging));
  put(kBurnouts, static_cast<double>(tally_.burnouts));
  put(kLeadersFound, static_cast<double>(tally_.leaders_found));
  put(kLeadersDeveloped, static_cast<double>(tally_.new_organizers));
  put(kReached, static_cast<double>(tally_.broadcast_reached));
  if (cfg_.policy == ActionPolicy::readiness || cfg_.policy == ActionPolicy::ready_and_hot)
    put(kAssessed, static_cast<double>(assessed()) / n);
  put(kAwarenessMean, mean_of(kAwareness, pop_.awareness, awareness_mean_));
  put(kFearMean, mean_of(kFear, pop_.fear, fear_mean_));
  put(kGrievanceMean, mean_of(kGrievance, pop_.grievance, grievance_mean_));
  put(kStaffTrustMean, mean_of(kStaffTrust, pop_.staff_trust, staff_trust_mean_));
  put(kClimate, climate_now_);
  put(kTurnover, static_cast<double>(left_.size()) / n);
  put(kStanding, wins_.standing());
  put(kWinsNew, won_now_ ? 1.0 : 0.0);
  put(kReversalsNew, reversed_now_);
}

std::vector<double> Simulation::per_run_values() const {
  std::vector<double> v(per_run_outputs().size(), std::nan(""));
  v[per_run_index("final_turnout")] = last_turnout_;
  v[per_run_index("peak_turnout")] = peak_turnout_;
  v[per_run_index("actions")] = static_cast<double>(actions_);
  v[per_run_index("rounds_total")] = static_cast<double>(rounds_total_);
  v[per_run_index("wins")] = wins_.wins();
  v[per_run_index("reversals")] = wins_.reversals();
  v[per_run_index("win_weeks")] = win_weeks_;
  v[per_run_index("organized_base_end")] = organized_base_end_;
  v[per_run_index("organizers_end")] = organizers_end_;
  v[per_run_index("backfires_total")] = static_cast<double>(backfires_total_);
  v[per_run_index("threats")] = static_cast<double>(threats_);
  v[per_run_index("firings")] = static_cast<double>(firings_);
  v[per_run_index("elections_won")] = static_cast<double>(elections_won_);
  v[per_run_index("first_election_won")] = first_election_won_;
  v[per_run_index("consolidated_wins")] = static_cast<double>(consolidated_wins_);
  v[per_run_index("decertifications")] = static_cast<double>(decertifications_);
  const auto& T = tally_total_;
  v[per_run_index("tasks_asked_total")] = static_cast<double>(T.tasks_asked);
  v[per_run_index("tasks_done_total")] = static_cast<double>(T.tasks_done);
  v[per_run_index("tasks_missed_total")] = static_cast<double>(T.tasks_missed);
  v[per_run_index("ties_created_total")] = static_cast<double>(T.ties_created);
  v[per_run_index("ties_bridging_total")] = static_cast<double>(T.ties_bridging);
  v[per_run_index("burnouts_total")] = static_cast<double>(T.burnouts);
  v[per_run_index("leaders_found_total")] = static_cast<double>(T.leaders_found);
  v[per_run_index("leaders_developed_total")] = static_cast<double>(T.new_organizers);
  v[per_run_index("latent_support")] = latent_support_;
  v[per_run_index("threat_campaigns")] = static_cast<double>(threat_campaigns_);
  v[per_run_index("firing_campaigns")] = static_cast<double>(firing_campaigns_);
  v[per_run_index("one_on_ones_staff_total")] = static_cast<double>(T.one_on_ones_staff);
  v[per_run_index("one_on_ones_peer_total")] = static_cast<double>(T.one_on_ones_peer);
  v[per_run_index("broadcast_reached_total")] = static_cast<double>(reached_total_);
  v[per_run_index("broadcast_responders_total")] = static_cast<double>(responders_total_);
  v[per_run_index("first_action_participants")] = first_participants_;
  return v;
}

void Simulation::check_invariants(Audit depth) const {
  auto fail = [&](const std::string& what) {
    throw std::logic_error("invariant broken at step " + std::to_string(t_) + ": " + what);
  };
  auto in_unit = [](const Eigen::ArrayXf& a) {
    return a.size() == 0 || (a.minCoeff() >= 0.0f && a.maxCoeff() <= 1.0f);
  };
  if (!in_unit(pop_.grievance)) fail("grievance outside [0,1]");
  if (!in_unit(pop_.fear)) fail("fear outside [0,1]");
  if (!in_unit(pop_.inoculation)) fail("inoculation outside [0,1]");
  if (!in_unit(pop_.commitment)) fail("commitment outside [0,1]");
  if (!in_unit(pop_.awareness)) fail("awareness outside [0,1]");
  if (!in_unit(pop_.fatigue)) fail("fatigue outside [0,1]");
  if (!in_unit(pop_.staff_trust)) fail("staff trust outside [0,1]");
  if (!in_unit(pop_.leadership)) fail("leadership outside [0,1]");
  if (!pop_.threshold.allFinite()) fail("non-finite threshold");
  std::int64_t count = 0;
  for (auto xi : core_.x()) count += xi ? 1 : 0;
  if (count != core_.participants()) fail("participant count differs from the participation flags");
  std::int64_t sup = 0, mem = 0, lead = 0, none = 0;
  for (std::int32_t i = 0; i < cfg_.n; ++i) {
    const float c = pop_.commitment[i];
    if (c >= cfg_.ladder_leader) ++lead;
    else if (c >= cfg_.ladder_member) ++mem;
    else if (c >= cfg_.ladder_supporter) ++sup;
    else ++none;
  }
  if (sup + mem + lead + none != cfg_.n) fail("ladder counts do not sum to N");
  std::int32_t open = 0;
  for (const auto& w : wins_.events()) open += w.end_step < 0 ? 1 : 0;
  if (open != wins_.standing()) fail("standing wins differ from the wins not yet reversed");
  check_structure(fail);
  if (depth == Audit::state) return;
  // Every cached measure that claims to be current equals a fresh computation (the change
  // tracking misses nothing).
  if (rungs_.at == version_[kCommitment]) {
    const RungCounts r = count_rungs(pop_, cfg_.ladder_supporter, cfg_.ladder_member, cfg_.ladder_leader);
    const RungCounts& c = rungs_.value;
    if (r.supporter != c.supporter || r.member != c.member || r.leader != c.leader ||
        r.organized != c.organized || r.worker_organizers != c.worker_organizers)
      fail("cached rung counts are stale");
  }
  if (trust_stats_.at == version_[kTrust]) {
    const TrustStats s = trust_stats(net_);
    if (s.sum != trust_stats_.value.sum || s.strong != trust_stats_.value.strong)
      fail("cached trust statistics are stale");
  }
  if (component_.at == net_.strong_changes + 1 &&
      static_cast<double>(strong_component(net_)) != component_.value)
    fail("cached strong-tie component is stale");
  auto mean_ok = [&](Part p, const Eigen::ArrayXf& a, const Cached<double>& c, const char* what) {
    if (c.at == version_[p] && mean_or_zero(a) != c.value)
      fail(std::string("cached ") + what + " mean is stale");
  };
  mean_ok(kFear, pop_.fear, fear_mean_, "fear");
  mean_ok(kAwareness, pop_.awareness, awareness_mean_, "awareness");
  mean_ok(kGrievance, pop_.grievance, grievance_mean_, "grievance");
  mean_ok(kStaffTrust, pop_.staff_trust, staff_trust_mean_, "staff trust");
  std::uint64_t key = 0;
  for (auto v : version_) key += v;
  if (key == base_at_ && climate_now_ == base_climate_) {
    std::vector<float> fresh, invite;
    std::vector<std::uint8_t> source;
    utility_base(cfg_, pop_, net_, climate_now_, campaign_.staff() > 0, fresh, invite, &source);
    if (fresh != base_) fail("cached utility base is stale");
    if (source != invite_source_) fail("cached invitation sources are stale");
    if (defense_.at == base_serial_ && base_serial_ > 0) {
      // The defense's crowd is the fixed point of the threshold rule on this base.
      ParticipationCore fresh_core(net_, defense_rules_);
      if (defense_capacity(fresh_core, net_, base_.data(), pop_.threshold.data(),
                           cfg_.trust_initial.value).value != defense_.value)
        fail("cached defense is stale");
    }
  }
}

void Simulation::check_structure(const std::function<void(const std::string&)>& fail) const {
  if (net_.complete) return;
  if (!net_.new_ties.empty()) fail("ties introduced but not merged into the graph");
  if (net_.neighbors.size() != net_.trust.size() ||
      static_cast<std::size_t>(net_.offsets[net_.n]) != net_.neighbors.size() ||
      (!net_.accountable.empty() && net_.accountable.size() != net_.trust.size()))
    fail("per-entry arrays differ in size from the graph");
  // One sequential pass: ids, self-loops, sorted rows, trust in range, and a checksum of the
  // twins. Each entry adds a hash of its tie and what both entries must share (trust and
  // accountability), with a + from the lower end's row and a - from the higher end's: when every
  // entry has its twin, equal, the sum is 0. The hash is the splitmix64 finaliser of the tie's
  // key xor its shared values times an odd constant (both bijective), so a missing or unequal
  // twin leaves a sum of 0 only by a 64-bit coincidence. Any fault sends the audit to
  // the exact passes below, which name it. (The exact twin pass reads each entry's twin out of
  // order: on a 5 x 10^4-agent random graph it was a fifth of a sweep's time, bench/README.md
  // "Sweep throughput".)
  const std::int32_t* const off = net_.offsets.data();
  const std::int32_t* const nb = net_.neighbors.data();
  const float* const trust = net_.trust.data();
  const std::uint8_t* const pub = net_.accountable.empty() ? nullptr : net_.accountable.data();
  const std::int32_t n = net_.n;
  std::uint64_t sum = 0;
  bool bad = false;
  for (std::int32_t i = 0; i < n; ++i) {
    std::int32_t prev = -1;
    for (std::int32_t e = off[i]; e < off[i + 1]; ++e) {
      const std::int32_t j = nb[e];
      const float tau = trust[e];
      bad |= (j <= prev) | (j >= n) | (j == i) | !(tau >= 0.0f) | (tau > 1.0f);
      prev = j;
      std::uint32_t bits = 0;
      std::memcpy(&bits, &tau, sizeof bits);
      const std::uint64_t shared = bits | (pub ? std::uint64_t{pub[e]} << 32 : 0);
      const std::uint64_t h = mix64(Network::strong_key(i, j) ^ (shared * 0x9e3779b97f4a7c15ULL));
      const std::uint64_t minus = std::uint64_t{0} - static_cast<std::uint64_t>(i > j);  // all ones
      sum += (h ^ minus) - minus;  // +h, or -h from the higher end's row (branch-free)
    }
  }
  if (!bad && sum == 0) return;
  for (std::int32_t i = 0; i < n; ++i)
    for (std::int32_t e = off[i]; e < off[i + 1]; ++e) {
      const std::int32_t j = nb[e];
      if (j < 0 || j >= n) fail("neighbour id outside the population");
      if (j == i) fail("self-loop");
      if (e > off[i] && nb[e - 1] >= j) fail("row not sorted or duplicate tie");
      if (!(trust[e] >= 0.0f && trust[e] <= 1.0f)) fail("trust outside [0,1]");
    }
  // The exact pass: rows are visited in increasing order and each row is sorted, so the entries
  // of row j that point back are met in the order they sit in row j; next[j] is the first of
  // them not yet matched.
  std::vector<std::int32_t> next(net_.offsets.begin(), net_.offsets.begin() + net_.n);
  for (std::int32_t i = 0; i < net_.n; ++i)
    for (std::int32_t e = net_.offsets[i]; e < net_.offsets[i + 1]; ++e) {
      const std::int32_t j = net_.neighbors[e];
      const std::int32_t twin = next[static_cast<std::size_t>(j)]++;
      if (twin >= net_.offsets[j + 1] || net_.neighbors[twin] != i) fail("tie without its twin entry");
      if (net_.trust[twin] != net_.trust[e]) fail("asymmetric trust");
      if (net_.public_count(e) != net_.public_count(twin)) fail("asymmetric accountability");
    }
  fail("twin checksum differs, but every twin matched (a hash coincidence?)");
}

}  // namespace orgsim
