#pragma once
// llama-server's slots: N requests generate at once, later ones wait in
// arrival order (FIFO) until a slot frees.
//
// A waiting request parks on a steady_timer that never expires; granting it a
// slot sets the slot under the lock and cancels that timer through the
// waiter's own executor (a strand when the server runs several threads), so
// the pool never touches a waiter's I/O objects from a foreign thread. The
// lock is taken once per request, never per token.
//
// Prompt cache: like llama-server, each slot keeps the tokens of its last
// prompt and what it generated after it. A free slot is picked by the longest
// prefix its cache shares with the new prompt, else the least recently used
// (see take_free_locked). A slot's cache
// is written only by the request holding the slot and read under the lock
// only while the slot is free, so no token-path access takes the lock.
#include <asio.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "llmbench/mock/info.hpp"

namespace llmbench::mock {

class SlotPool {
 public:
  struct Waiter {
    explicit Waiter(const asio::any_io_executor& ex) : wake(ex, asio::steady_timer::time_point::max()) {}
    asio::steady_timer wake;
    int slot = -1;  // set (under the pool lock) when granted
  };

  explicit SlotPool(int slots);

  // A free slot at once, else waits its turn. -1 when the wait was cancelled
  // (the client left, the server stops); the request is then out of the queue.
  asio::awaitable<int> acquire(std::span<const std::int32_t> prompt = {});
  // Frees the slot, or hands it straight to the longest waiter.
  void release(int slot);

  // Holder of `slot` only. Takes `prompt` as the slot's new cache and returns
  // how many of its tokens the old cache already held: the shared prefix,
  // at most prompt.size() - 1 (llama-server always evaluates the last prompt
  // token again, to get logits for the first generated one).
  int reuse_cache(int slot, std::span<const std::int32_t> prompt);
  // Holder of `slot` only: the tokens generated after the prompt.
  std::vector<std::int32_t>& cache_of(int slot) { return cache_[static_cast<std::size_t>(slot)]; }

  // POST /slots/{id}?action=erase: the slot's prompt cache is emptied now if
  // the slot is free, else when its request gives it back (llama-server
  // defers the task until the slot is idle). The tokens it held (0 when
  // the erase waits for the slot).
  int erase(int slot);

  // /slots bookkeeping: what a slot is doing.
  void describe(int slot, const SlotView& view);
  void set_decoded(int slot, int n_decoded) noexcept {
    decoded_[static_cast<std::size_t>(slot)].store(n_decoded, std::memory_order_relaxed);
  }
  std::vector<SlotView> views() const;

  [[nodiscard]] int busy() const noexcept { return busy_.load(std::memory_order_relaxed); }
  [[nodiscard]] int queued() const noexcept { return queued_.load(std::memory_order_relaxed); }
  [[nodiscard]] int max_busy() const noexcept { return max_busy_.load(std::memory_order_relaxed); }
  [[nodiscard]] int max_queued() const noexcept { return max_queued_.load(std::memory_order_relaxed); }

 private:
  int take_free_locked(std::span<const std::int32_t> prompt);
  void forget_locked(const std::shared_ptr<Waiter>& w);

  mutable std::mutex mu_;
  std::vector<int> free_;  // lowest id first, as llama-server picks an idle slot
  std::deque<std::shared_ptr<Waiter>> queue_;
  std::vector<SlotView> views_;
  std::vector<std::vector<std::int32_t>> cache_;  // per slot: last prompt + its generation
  std::vector<std::uint64_t> last_used_;           // per slot: `uses_` when last taken (0: never)
  std::vector<char> erase_pending_;                // per slot: erase when it is given back
  std::uint64_t uses_ = 0;
  std::unique_ptr<std::atomic<int>[]> decoded_;
  std::atomic<int> busy_{0};
  std::atomic<int> queued_{0};
  std::atomic<int> max_busy_{0};
  std::atomic<int> max_queued_{0};
};

// Gives the slot back when the generation ends, however it ends.
class SlotLease {
 public:
  SlotLease(SlotPool& pool, int slot) noexcept : pool_(&pool), slot_(slot) {}
  ~SlotLease() { release(); }
  SlotLease(const SlotLease&) = delete;
  SlotLease& operator=(const SlotLease&) = delete;
  void release() {
    if (slot_ >= 0) pool_->release(slot_);
    slot_ = -1;
  }
  [[nodiscard]] int slot() const noexcept { return slot_; }

 private:
  SlotPool* pool_;
  int slot_;
};

}  // namespace llmbench::mock
