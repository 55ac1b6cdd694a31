#include "model/participation.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include <Eigen/SparseCore>

namespace orgsim {

ParticipationCore::ParticipationCore(const Network& net, const CascadeRules& rules)
    : net_(net),
      rules_(rules),
      contagion_(rules.contagion_probability > 0.0),
      n_(net.n),
      x_(static_cast<std::size_t>(net.n), 0),
      cause_(static_cast<std::size_t>(net.n), JoinCause::none),
      s_(static_cast<std::size_t>(net.n), 0.0f),
      mark_(static_cast<std::size_t>(net.n), 0),
      candidates_(static_cast<std::size_t>(net.n) + 1, 0) {
  if (contagion_ && !net.complete) {
    if (rules_.attempts == Attempts::every_round)
      log_escape_.assign(static_cast<std::size_t>(n_), 0.0f);
    else
      once_escape_.assign(static_cast<std::size_t>(n_), 0.0f);
  }
}

void ParticipationCore::reset() {
  std::fill(x_.begin(), x_.end(), 0);
  std::fill(cause_.begin(), cause_.end(), JoinCause::none);
  std::fill(s_.begin(), s_.end(), 0.0f);
  std::fill(log_escape_.begin(), log_escape_.end(), 0.0f);
  pending_.clear();
  exposed_.clear();
  log_.clear();
  count_ = 0;
  seen_ = 0;
  last_joined_ = 0;
}

void ParticipationCore::join(std::int32_t i, JoinCause why) {
  if (x_[i]) return;
  x_[i] = 1;
  cause_[i] = why;
  ++count_;
  pending_.push_back(i);
  log_.push_back(i);
}

void ParticipationCore::leave(std::int32_t i) {
  if (!x_[i]) return;
  x_[i] = 0;
  cause_[i] = JoinCause::none;
  --count_;
}

void ParticipationCore::recompute_social() {
  // Pending joiners' ties are applied by the next round, so they are left out here.
  std::vector<std::uint8_t> in_pending;
  if (!pending_.empty()) {
    in_pending.assign(static_cast<std::size_t>(n_), 0);
    for (auto j : pending_) in_pending[j] = x_[j];
  }
  auto applied = [&](std::int32_t j) { return x_[j] && (in_pending.empty() || !in_pending[j]); };
  if (net_.complete) {
    seen_ = 0;
    for (std::int32_t j = 0; j < n_; ++j) seen_ += applied(j) ? 1 : 0;
    return;
  }
  Eigen::VectorXf xf(n_);
  for (std::int32_t j = 0; j < n_; ++j) xf[j] = applied(j) ? 1.0f : 0.0f;
  Eigen::Map<const Eigen::SparseMatrix<float, Eigen::RowMajor, std::int32_t>> A(
      n_, n_, net_.num_entries(), net_.offsets.data(), net_.neighbors.data(), net_.trust.data());
  Eigen::Map<Eigen::VectorXf> s(s_.data(), n_);
  s.noalias() = A * xf;
  if (!log_escape_.empty()) {
    const auto beta = static_cast<float>(rules_.contagion_probability);
    exposed_.clear();
    for (std::int32_t i = 0; i < n_; ++i) {
      float acc = 0.0f;
      for (std::int32_t e = net_.offsets[i]; e < net_.offsets[i + 1]; ++e)
        if (xf[net_.neighbors[e]] != 0.0f) acc += std::log1p(-beta * net_.trust[e]);
      log_escape_[i] = acc;
      if (acc < 0.0f && !x_[i]) exposed_.push_back(i);
    }
  }
}

std::int64_t ParticipationCore::broadcast(double reach, double conversion, Rng& rng) {
  std::int64_t joined = 0;
  if (reach <= 0.0) return 0;
  for (std::int32_t i = 0; i < n_; ++i) {
    if (!(rng.uniform() < reach) || x_[i]) continue;
    if (rng.uniform() < conversion) {
      join(i, JoinCause::broadcast);
      ++joined;
    }
  }
  return joined;
}

void ParticipationCore::apply_ties(std::int32_t j) {
  const std::int32_t* nb = net_.neighbors.data();
  const float* tr = net_.trust.data();
  const std::int32_t begin = net_.offsets[j], end = net_.offsets[j + 1];
  float* s = s_.data();
  const std::uint8_t* x = x_.data();
  std::uint8_t* mark = mark_.data();
  if (!contagion_) {
    // The hot loop of a large crowd: no branch on who participates. Every neighbour is written
    // to the candidate list's next slot, which is kept only for a non-participant not listed
    // yet; a non-participant is marked as listed (participants' marks stay 0).
    // (The list has room for every agent plus one slot, so the unkept write stays inside it.)
    std::int32_t* out = candidates_.data();
    std::size_t k = ncand_;
    for (std::int32_t e = begin; e < end; ++e) {
      const std::int32_t i = nb[e];
      s[i] += tr[e];
      const std::uint8_t free = static_cast<std::uint8_t>(x[i] == 0);
      out[k] = i;
      k += free & static_cast<std::uint8_t>(mark[i] == 0);
      mark[i] |= free;
    }
    ncand_ = k;
    return;
  }
  const auto beta = static_cast<float>(rules_.contagion_probability);
  for (std::int32_t e = begin; e < end; ++e) {
    const std::int32_t i = nb[e];
    s[i] += tr[e];
    if (x[i]) continue;
    const float le = std::log1p(-beta * tr[e]);
    if (!log_escape_.empty()) {
      if (log_escape_[i] == 0.0f && le < 0.0f) exposed_.push_back(i);
      log_escape_[i] += le;
    } else {
      once_escape_[i] += le;
    }
    if (!mark[i]) {
      mark[i] = 1;
      candidates_[ncand_++] = i;
    }
  }
}

std::int64_t ParticipationCore::propagate_pending() {
  ncand_ = 0;
  std::int64_t k = 0;
  if (net_.complete) {
    for (auto j : pending_) k += x_[j] ? 1 : 0;
    seen_ += k;
    pending_.clear();
    return k;
  }
  for (auto j : pending_) {
    if (!x_[j]) continue;  // left the workplace before its ties applied
    apply_ties(j);
    ++k;
  }
  pending_.clear();
  return k;
}

std::int64_t ParticipationCore::decide_privately(const float* base, const float* theta,
                                                 std::vector<std::uint8_t>& yes) {
  propagate_pending();
  for (auto i : candidates()) mark_[i] = 0;  // listing candidates is the rounds' business
  ncand_ = 0;
  yes.assign(static_cast<std::size_t>(n_), 0);
  std::int64_t k = 0;
  for (std::int32_t i = 0; i < n_; ++i) {
    const bool y = fires(i, base, theta);
    yes[static_cast<std::size_t>(i)] = y ? 1 : 0;
    k += y ? 1 : 0;
  }
  return k;
}

float ParticipationCore::social_term(std::int32_t i) const noexcept {
  // Single precision on both sides of U_i >= theta_i, so a threshold equal to a ratio m/k is met.
  float s;
  if (net_.complete) {
    s = rules_.complete_trust * static_cast<float>(seen_ - (x_[i] == 1 ? 1 : 0));
    if (rules_.rule == ThresholdRule::fraction) s = n_ > 1 ? s / static_cast<float>(n_ - 1) : 0.0f;
    return s;
  }
  s = s_[i];
  if (rules_.rule == ThresholdRule::fraction) {
    const std::int32_t d = net_.offsets[i + 1] - net_.offsets[i];
    s = d > 0 ? s / static_cast<float>(d) : 0.0f;
  }
  return s;
}

bool ParticipationCore::fires(std::int32_t i, const float* base, const float* theta) const noexcept {
  return base[i] + rules_.w_social * social_term(i) >= theta[i];
}

RoundStats ParticipationCore::run_rounds(const float* base, const float* theta,
                                         std::int32_t max_rounds, Rng& rng, bool base_changed) {
  if (rules_.update == UpdateOrder::random_sequential)
    return run_sequential(base, theta, max_rounds, rng);
  return run_synchronous(base, theta, max_rounds, rng, base_changed);
}

RoundStats ParticipationCore::run_synchronous(const float* base, const float* theta,
                                              std::int32_t max_rounds, Rng& rng,
                                              bool base_changed) {
  RoundStats st;
  const bool threshold = rules_.rule != ThresholdRule::off;
  const bool every_round = contagion_ && rules_.attempts == Attempts::every_round;
  const double beta_tau = rules_.contagion_probability * rules_.complete_trust;
  bool first = true;
  while (max_rounds == 0 || st.rounds < max_rounds) {
    const std::int64_t newly = propagate_pending();
    if (net_.complete) last_joined_ = newly;
    joiners_.clear();
    auto take = [&](std::int32_t i, JoinCause why) {
      x_[i] = 2;  // joining this round; others still see the state at the round's start
      cause_[i] = why;
      joiners_.push_back(i);
    };
    // Threshold channel: in a step's first round everyone may fire (the base changed); later,
    // or when the base did not change, only those whose social sum changed.
    const bool everyone = first && base_changed;
    if (threshold) {
      if (everyone && !net_.complete) {
        // Every non-participant is asked, in node order. Whether i fires reads only i's own
        // state (its base, threshold, social sum and degree; take() marks i alone), so a block
        // of 64 agents is decided first, without a branch per agent, then its firing agents
        // are taken in order: the same test as fires(), the same joiners in the same order.
        const std::int32_t* const off = net_.offsets.data();
        const float* const s = s_.data();
        const std::uint8_t* const x = x_.data();
        const float w = rules_.w_social;
        const bool fraction = rules_.rule == ThresholdRule::fraction;
        for (std::int32_t b = 0; b < n_; b += 64) {
          const std::int32_t m = std::min<std::int32_t>(64, n_ - b);
          std::uint64_t fire = 0;
          if (fraction) {
            for (std::int32_t k = 0; k < m; ++k) {
              const std::int32_t i = b + k;
              const std::int32_t d = off[i + 1] - off[i];
              const float term = d > 0 ? s[i] / static_cast<float>(d) : 0.0f;
              const bool f = (x[i] == 0) & (base[i] + w * term >= theta[i]);
              fire |= static_cast<std::uint64_t>(f) << k;
            }
          } else {
            for (std::int32_t k = 0; k < m; ++k) {
              const std::int32_t i = b + k;
              const bool f = (x[i] == 0) & (base[i] + w * s[i] >= theta[i]);
              fire |= static_cast<std::uint64_t>(f) << k;
            }
          }
          for (; fire != 0; fire &= fire - 1) take(b + std::countr_zero(fire), JoinCause::threshold);
        }
      } else if (everyone || net_.complete) {
        if (everyone || newly > 0)
          for (std::int32_t i = 0; i < n_; ++i)
            if (!x_[i] && fires(i, base, theta)) take(i, JoinCause::threshold);
      } else {
        for (auto i : candidates())
          if (!x_[i] && fires(i, base, theta)) take(i, JoinCause::threshold);
      }
      st.by_threshold += static_cast<std::int64_t>(joiners_.size());
    }
    // Contagion channel.
    if (contagion_) {
      const std::size_t before = joiners_.size();
      if (net_.complete) {
        const std::int64_t tries = every_round ? seen_ : last_joined_;
        if (tries > 0) {
          const double p = 1.0 - std::pow(1.0 - beta_tau, static_cast<double>(tries));
          for (std::int32_t i = 0; i < n_; ++i)
            if (!x_[i] && rng.uniform() < p) take(i, JoinCause::contagion);
        }
      } else if (every_round) {
        std::size_t keep = 0;
        for (std::size_t k = 0; k < exposed_.size(); ++k) {
          const std::int32_t i = exposed_[k];
          if (x_[i] == 1) continue;  // already in: drop from the exposed list
          exposed_[keep++] = i;
          if (x_[i] == 0 && rng.uniform() < -std::expm1(static_cast<double>(log_escape_[i])))
            take(i, JoinCause::contagion);
        }
        exposed_.resize(keep);
      } else {
        for (auto i : candidates()) {
          const float le = once_escape_[i];
          once_escape_[i] = 0.0f;
          if (x_[i] == 0 && le < 0.0f && rng.uniform() < -std::expm1(static_cast<double>(le)))
            take(i, JoinCause::contagion);
        }
      }
      st.by_contagion += static_cast<std::int64_t>(joiners_.size() - before);
    }
    for (auto i : candidates()) mark_[i] = 0;
    for (auto i : joiners_) {
      x_[i] = 1;
      ++count_;
      pending_.push_back(i);
      log_.push_back(i);
    }
    ++st.rounds;
    st.joined += static_cast<std::int64_t>(joiners_.size());
    first = false;
    // A round in which no one joins ends the rounds when nothing can fire again: always for
    // until_stable; for k rounds, unless every_round contagion may still convert someone.
    if (joiners_.empty() && (max_rounds == 0 || !every_round)) break;
  }
  return st;
}

RoundStats ParticipationCore::run_sequential(const float* base, const float* theta,
                                             std::int32_t max_rounds, Rng& rng) {
  RoundStats st;
  propagate_pending();
  for (auto i : candidates()) mark_[i] = 0;
  std::vector<std::int32_t> order;
  while (max_rounds == 0 || st.rounds < max_rounds) {
    order.clear();
    for (std::int32_t i = 0; i < n_; ++i)
      if (!x_[i]) order.push_back(i);
    rng.shuffle(order.begin(), order.end());
    std::int64_t joined = 0;
    for (auto i : order) {
      if (x_[i] || !fires(i, base, theta)) continue;
      x_[i] = 1;
      cause_[i] = JoinCause::threshold;
      ++count_;
      ++joined;
      log_.push_back(i);
      if (net_.complete) {
        ++seen_;
      } else {
        ncand_ = 0;
        apply_ties(i);
        for (auto c : candidates()) mark_[c] = 0;
      }
    }
    ++st.rounds;
    st.joined += joined;
    st.by_threshold += joined;
    if (joined == 0) break;
  }
  ncand_ = 0;
  return st;
}

}  // namespace orgsim
