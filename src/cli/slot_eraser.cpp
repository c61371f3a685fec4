#include "llmbench/cli/slot_eraser.hpp"

#include <spdlog/spdlog.h>

#include "llmbench/cli/exit_codes.hpp"
#include "llmbench/http/fetch.hpp"
#include "llmbench/protocol/control_plane.hpp"
#include "llmbench/telemetry/server_props.hpp"

namespace llmbench::cli {

Step<SlotEraser> SlotEraser::start(const TargetSetup& t, const ServerInfo& server) {
  const auto props = telemetry::parse_server_props(server.props_json);
  if (!props || !props->total_slots || *props->total_slots < 1) {
    return fail(kExitUsage, "--erase-slots: the server's GET /props gives no total_slots, so there is no telling "
                            "which slots to erase (is it llama-server?)");
  }
  SlotEraser eraser(t, static_cast<int>(*props->total_slots));
  for (int slot = 0; slot < eraser.slots_; ++slot) {
    if (std::string why = eraser.erase(slot); !why.empty()) return fail(kExitUsage, "--erase-slots: " + why);
  }
  return eraser;
}

void SlotEraser::erase_all() {
  ++counts_.rounds;
  for (int slot = 0; slot < slots_; ++slot) {
    std::string why = erase(slot);
    if (why.empty()) {
      ++counts_.erased;
      continue;
    }
    if (counts_.failed++ == 0) {
      spdlog::warn("--erase-slots: {} (the run goes on; this run may meet a warm cache)", why);
      counts_.first_error = std::move(why);
    }
  }
}

std::string SlotEraser::erase(int slot) const {
  const std::string path = "/slots/" + std::to_string(slot) + "?action=erase";
  const http::FetchResult r = http::fetch(t_->target, "POST", path, "", t_->fetch);
  if (!r.ok) return "POST " + path + ": " + r.error;
  if (r.status == 200) return {};
  std::string why = "POST " + path + " answered HTTP " + std::to_string(r.status);
  if (const auto msg = protocol::error_message(r.body)) why += ": " + *msg;
  if (r.status == 501 && t_->mock) {
    why += " (the built-in server allows it with --mock-slot-actions)";
  } else if (r.status == 501 && why.find("--slot-save-path") == std::string::npos) {
    why += " (llama-server allows it when started with --slot-save-path DIR)";
  }
  return why;
}

}  // namespace llmbench::cli
