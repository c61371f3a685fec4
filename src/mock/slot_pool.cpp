#include "llmbench/mock/slot_pool.hpp"

#include <algorithm>
#include <asio/experimental/as_tuple.hpp>

namespace llmbench::mock {

namespace {
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

void raise_max(std::atomic<int>& max, int v) noexcept {
  int seen = max.load(std::memory_order_relaxed);
  while (v > seen && !max.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
  }
}

std::size_t shared_prefix(std::span<const std::int32_t> a, std::span<const std::int32_t> b) noexcept {
  const std::size_t n = std::min(a.size(), b.size());
  std::size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}
}  // namespace

SlotPool::SlotPool(int slots)
    : views_(static_cast<std::size_t>(slots)),
      cache_(static_cast<std::size_t>(slots)),
      last_used_(static_cast<std::size_t>(slots), 0),
      erase_pending_(static_cast<std::size_t>(slots), 0),
      decoded_(new std::atomic<int>[static_cast<std::size_t>(slots)]) {
  for (int i = slots - 1; i >= 0; --i) free_.push_back(i);  // back() is the lowest id
  for (int i = 0; i < slots; ++i) {
    views_[static_cast<std::size_t>(i)].id = i;
    decoded_[static_cast<std::size_t>(i)].store(0, std::memory_order_relaxed);
  }
}

// llama-server's choice: the free slot whose cache shares the longest prefix
// with the prompt, if that prefix is more than a tenth of it
// (--slot-prompt-similarity 0.1); otherwise the least recently used slot, a
// never-used one first and the lowest id among equals. So sessions that take
// turns keep finding their own slot, and a new prompt evicts the stalest one.
int SlotPool::take_free_locked(std::span<const std::int32_t> prompt) {
  std::size_t best = free_.size();
  std::size_t best_len = 0;
  for (std::size_t i = free_.size(); i-- > 0;) {
    const std::size_t len = shared_prefix(cache_[static_cast<std::size_t>(free_[i])], prompt);
    if (len > best_len && len * 10 > prompt.size()) {
      best = i;
      best_len = len;
    }
  }
  if (best_len == 0) {
    best = free_.size() - 1;  // the lowest id (free_ is sorted highest first)
    for (std::size_t i = free_.size(); i-- > 0;) {
      if (last_used_[static_cast<std::size_t>(free_[i])] < last_used_[static_cast<std::size_t>(free_[best])]) best = i;
    }
  }
  const int slot = free_[best];
  free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(best));
  last_used_[static_cast<std::size_t>(slot)] = ++uses_;
  raise_max(max_busy_, busy_.fetch_add(1, std::memory_order_relaxed) + 1);
  return slot;
}

void SlotPool::forget_locked(const std::shared_ptr<Waiter>& w) {
  const auto it = std::find(queue_.begin(), queue_.end(), w);
  if (it == queue_.end()) return;
  queue_.erase(it);
  queued_.fetch_sub(1, std::memory_order_relaxed);
}

int SlotPool::reuse_cache(int slot, std::span<const std::int32_t> prompt) {
  std::vector<std::int32_t>& cache = cache_[static_cast<std::size_t>(slot)];
  const std::size_t shared = shared_prefix(cache, prompt);
  cache.assign(prompt.begin(), prompt.end());
  if (prompt.empty()) return 0;
  return static_cast<int>(std::min(shared, prompt.size() - 1));
}

asio::awaitable<int> SlotPool::acquire(std::span<const std::int32_t> prompt) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  std::shared_ptr<Waiter> w;
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) co_return take_free_locked(prompt);
    w = std::make_shared<Waiter>(ex);
    queue_.push_back(w);
    raise_max(max_queued_, queued_.fetch_add(1, std::memory_order_relaxed) + 1);
  }
  // Granting cancels this wait through our own executor; so does the client
  // leaving (per-operation cancellation), which is told apart by `slot`.
  co_await w->wake.async_wait(use_tuple);
  std::lock_guard lock(mu_);
  if (w->slot >= 0) co_return w->slot;
  forget_locked(w);
  co_return -1;
}

void SlotPool::release(int slot) {
  std::shared_ptr<Waiter> next;
  {
    std::lock_guard lock(mu_);
    SlotView& v = views_[static_cast<std::size_t>(slot)];
    v.is_processing = false;
    if (erase_pending_[static_cast<std::size_t>(slot)] != 0) {
      erase_pending_[static_cast<std::size_t>(slot)] = 0;
      cache_[static_cast<std::size_t>(slot)].clear();
    }
    if (queue_.empty()) {
      free_.push_back(slot);
      std::sort(free_.begin(), free_.end(), std::greater<>());
      busy_.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
    next = std::move(queue_.front());
    queue_.pop_front();
    queued_.fetch_sub(1, std::memory_order_relaxed);
    next->slot = slot;
    last_used_[static_cast<std::size_t>(slot)] = ++uses_;
  }
  asio::post(next->wake.get_executor(), [next] { next->wake.cancel(); });
}

int SlotPool::erase(int slot) {
  std::lock_guard lock(mu_);
  const auto i = static_cast<std::size_t>(slot);
  if (std::find(free_.begin(), free_.end(), slot) == free_.end()) {
    erase_pending_[i] = 1;  // its holder writes the cache without the lock: cleared on release
    return 0;
  }
  const int held = static_cast<int>(cache_[i].size());
  cache_[i].clear();
  return held;
}

void SlotPool::describe(int slot, const SlotView& view) {
  std::lock_guard lock(mu_);
  views_[static_cast<std::size_t>(slot)] = view;
  views_[static_cast<std::size_t>(slot)].id = slot;
}

std::vector<SlotView> SlotPool::views() const {
  std::lock_guard lock(mu_);
  std::vector<SlotView> out = views_;
  for (SlotView& v : out) {
    v.n_decoded = decoded_[static_cast<std::size_t>(v.id)].load(std::memory_order_relaxed);
    if (v.is_processing && v.n_remain >= 0) v.n_remain = std::max(0, v.n_remain - v.n_decoded);
  }
  return out;
}

}  // namespace llmbench::mock
