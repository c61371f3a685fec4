#pragma once
// The control plane's answers, outside the measured path: GET /v1/models,
// GET /props, POST /tokenize. Pure: bodies in, values out.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmbench::protocol {

// The first `data[].id` of a /v1/models body (OpenAI shape), or the first
// `models[].name|model` (Ollama shape).
std::optional<std::string> first_model_id(std::string_view models_json);

// A /props body as compact JSON, when it is a JSON object (kept verbatim in
// the results as the server's own description of itself).
std::optional<std::string> props_json(std::string_view props_body);

// The message of an error answer: `error.message` (OpenAI and llama-server),
// or a string `error`; nullopt for anything else.
std::optional<std::string> error_message(std::string_view body);

// The request body of POST /tokenize for `text`. add_special: with the
// BOS the server adds to a prompt (and special-token text such as
// "<|im_start|>" read as the tokens it stands for, llama-server's default),
// so that the count is the prompt's as the server processes it.
std::string tokenize_body(std::string_view text, bool add_special = false);
// The request body of POST /apply-template for one user message.
std::string apply_template_body(std::string_view user_text);
// The rendered prompt of an /apply-template answer (`prompt`).
std::optional<std::string> applied_prompt(std::string_view apply_template_json);
// The number of tokens in a /tokenize answer (`tokens` array).
std::optional<std::uint32_t> token_count(std::string_view tokenize_json);

}  // namespace llmbench::protocol
