// Datasets and synthetic prompts: formats, and one-line errors for bad files.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "llmbench/load/dataset.hpp"
#include "llmbench/load/synthetic.hpp"

namespace llmbench {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    path_ = (std::filesystem::temp_directory_path() /
             ("llmbench_ds_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++) + ".json"))
                .string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

std::string load_error(const std::string& content) {
  TempFile f(content);
  const auto loaded = load_dataset(f.path());
  EXPECT_FALSE(loaded);
  const std::string err = loaded ? std::string() : loaded.error();
  EXPECT_EQ(err.find('\n'), std::string::npos) << "one line: " << err;
  EXPECT_EQ(err.rfind(f.path(), 0), 0u) << "names the file: " << err;
  return err;
}

TEST(LoadDataset, JsonLines) {
  TempFile f(
      "{\"prompt\": \"hello\", \"max_tokens\": 12}\n\n"
      "{\"messages\": [{\"role\": \"system\", \"content\": \"be brief\"}, {\"role\": \"user\", \"content\": \"hi\"}]}\n");
  const auto loaded = load_dataset(f.path());
  ASSERT_TRUE(loaded) << loaded.error();
  const std::vector<DatasetEntry>& out = *loaded;
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].prompt, "hello");
  EXPECT_EQ(out[0].max_tokens, 12);
  ASSERT_EQ(out[1].messages.size(), 2u);
  EXPECT_EQ(out[1].messages[1].content, "hi");
}

// Content parts (images as URLs or base64) and tool calls stay as the file
// has them (minified); a row's tools and tool_choice too; a plain message
// is kept as role and text.
TEST(LoadDataset, ContentPartsToolCallsAndToolsPassThrough) {
  TempFile f(
      R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "Describe"}, )"
      R"({"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}], )"
      R"("tools": [{"type": "function", "function": {"name": "describe", "parameters": {"type": "object"}}}], )"
      R"("tool_choice": "required"})"
      "\n"
      R"({"messages": [{"role": "user", "content": "weather?"}, )"
      R"({"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", )"
      R"("function": {"name": "w", "arguments": "{}"}}]}, {"role": "tool", "tool_call_id": "c1", "content": "sunny"}]})"
      "\n");
  const auto loaded = load_dataset(f.path());
  ASSERT_TRUE(loaded) << loaded.error();
  const std::vector<DatasetEntry>& out = *loaded;
  ASSERT_EQ(out.size(), 2u);
  ASSERT_EQ(out[0].messages.size(), 1u);
  EXPECT_EQ(out[0].messages[0].content, "Describe");
  EXPECT_EQ(out[0].messages[0].raw_json,
            R"({"role":"user","content":[{"type":"text","text":"Describe"},)"
            R"({"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]})");
  EXPECT_EQ(out[0].tools_json,
            R"([{"type":"function","function":{"name":"describe","parameters":{"type":"object"}}}])");
  EXPECT_EQ(out[0].tool_choice_json, R"("required")");
  ASSERT_EQ(out[1].messages.size(), 3u);
  EXPECT_TRUE(out[1].messages[0].raw_json.empty()) << "a plain message is rebuilt, not kept";
  EXPECT_NE(out[1].messages[1].raw_json.find(R"("tool_calls":[{"id":"c1")"), std::string::npos);
  EXPECT_EQ(out[1].messages[2].raw_json, R"({"role":"tool","tool_call_id":"c1","content":"sunny"})");
  EXPECT_TRUE(out[1].tools_json.empty());
}

TEST(LoadDataset, ShareGpt) {
  TempFile f(R"([
    {"id": "a", "conversations": [{"from": "human", "value": "What is 2+2?"}, {"from": "gpt", "value": "Four."}]},
    {"id": "b", "conversations": [{"from": "human", "value": "no reply"}]},
    {"id": "c", "conversations": [{"from": "system", "value": "x"}, {"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello there"}]}
  ])");
  const auto loaded = load_dataset(f.path());
  ASSERT_TRUE(loaded) << loaded.error();
  const std::vector<DatasetEntry>& out = *loaded;
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].prompt, "What is 2+2?");
  EXPECT_EQ(out[0].reference_output_chars, 5u);
  EXPECT_EQ(out[1].prompt, "Hi");
}

TEST(LoadDataset, BadFilesGiveOneLineErrors) {
  EXPECT_NE(load_error("").find("empty"), std::string::npos);
  EXPECT_NE(load_error("{\"prompt\": \"ok\"}\n{\"prompt\": 5}\n").find(":2:"), std::string::npos);
  EXPECT_NE(load_error("{\"prompt\": \"ok\"}\n{not json\n").find("not valid JSON"), std::string::npos);
  EXPECT_NE(load_error("{\"text\": \"x\"}\n").find("\"prompt\""), std::string::npos);
  EXPECT_NE(load_error("{\"prompt\": \"x\", \"max_tokens\": -3}\n").find("max_tokens"), std::string::npos);
  EXPECT_NE(load_error("{\"messages\": []}\n").find("empty"), std::string::npos);
  EXPECT_NE(load_error(R"({"messages": [{"role": "user", "content": 5}]})").find("content parts"), std::string::npos);
  EXPECT_NE(load_error(R"({"messages": [{"role": "assistant"}]})").find("'tool_calls'"), std::string::npos);
  EXPECT_NE(load_error(R"({"messages": [{"role": "user", "content": [{"text": "x"}]}]})").find("'type'"),
            std::string::npos);
  EXPECT_NE(load_error(R"({"prompt": "x", "tools": {"a": 1}})").find("\"tools\" must be an array"), std::string::npos);
  EXPECT_NE(load_error(R"({"prompt": "x", "tool_choice": 3})").find("tool_choice"), std::string::npos);
  EXPECT_NE(load_error("[{\"conversations\": 3}]").find("conversations"), std::string::npos);
  EXPECT_NE(load_error("[]").find("no usable prompts"), std::string::npos);
}

TEST(LoadDataset, MissingFile) {
  const auto loaded = load_dataset("/nonexistent/file.jsonl");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("/nonexistent/file.jsonl"), std::string::npos);
}

TEST(LoadDataset, FileSizeLimit) {
  TempFile f(std::string(4096, ' ') + "{\"prompt\": \"x\"}");
  DatasetLimits lim;
  lim.max_file_bytes = 1024;
  const auto loaded = load_dataset(f.path(), lim);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("limit"), std::string::npos);
}

TEST(SyntheticPrompts, LengthSpecParsing) {
  auto a = parse_length_spec("512");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->mean, 512);
  EXPECT_EQ(a->stddev, 0);
  auto b = parse_length_spec("128:16");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->stddev, 16);
  EXPECT_FALSE(parse_length_spec("abc"));
  EXPECT_FALSE(parse_length_spec("0"));
  EXPECT_FALSE(parse_length_spec("10:-1"));
  EXPECT_FALSE(parse_length_spec("10:"));
  EXPECT_NE(parse_length_spec("0").error().find("MEAN >= 1"), std::string::npos);
}

TEST(SyntheticPrompts, CalibratesWithTheServersCount) {
  // A tokenizer that makes two tokens of every word: prompts must halve their words.
  const TokenCounter two_per_word = [](const std::string& s) -> std::optional<std::uint32_t> {
    return static_cast<std::uint32_t>(2 * (std::count(s.begin(), s.end(), ' ') + 1));
  };
  const auto p = make_synthetic_prompts({100, 0}, LengthSpec{50, 0}, 4, 1, two_per_word);
  ASSERT_EQ(p.size(), 4u);
  for (const auto& sp : p) {
    EXPECT_EQ(sp.input_tokens, 100u);
    EXPECT_EQ(sp.entry.max_tokens, 50);
  }
  const auto q = make_synthetic_prompts({100, 0}, std::nullopt, 2, 1, nullptr);
  EXPECT_EQ(std::count(q[0].entry.prompt.begin(), q[0].entry.prompt.end(), ' ') + 1, 100);
  EXPECT_EQ(q[0].entry.max_tokens, 0);
}

// A server without /tokenize is asked once, not once per prompt, and the
// failure is reported once.
TEST(SyntheticPrompts, AFailingTokenizerIsAskedOnce) {
  int asked = 0, reported = 0;
  const TokenCounter failing = [&asked](const std::string&) -> std::optional<std::uint32_t> {
    ++asked;
    return std::nullopt;
  };
  const auto p = make_synthetic_prompts({32, 0}, std::nullopt, 256, 1,
                                        stop_after_first_failure(failing, [&reported] { ++reported; }));
  EXPECT_EQ(p.size(), 256u);
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(reported, 1);
  EXPECT_EQ(p[0].input_tokens, 32u);  // the estimate
  int good_calls = 0;
  const TokenCounter good = [&good_calls](const std::string&) -> std::optional<std::uint32_t> {
    ++good_calls;
    return 7u;
  };
  (void)make_synthetic_prompts({32, 0}, std::nullopt, 4, 1, stop_after_first_failure(good, [] {}));
  // A count that no word count moves: the calibration sample, then a bounded
  // number of tries per prompt (never more than nine).
  EXPECT_GE(good_calls, 1 + 4);
  EXPECT_LE(good_calls, 1 + 4 * 9);
}

// A server's count of a whole request prompt: 9 tokens of template and BOS,
// and every word over four letters two tokens, the rest one.
std::uint32_t toy_server_count(const std::string& s) {
  std::uint32_t n = 9;
  std::size_t word = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ' ') {
      n += word > 4 ? 2 : 1;
      word = 0;
    } else {
      ++word;
    }
  }
  return n;
}

// The server counts the whole request prompt: a template's own tokens (9
// here, as ChatML and a BOS), and words that are not one token each (every
// word over four letters is two). Every prompt is fitted to its drawn length
// as that server counts it, within a token (one word may be two tokens), and
// almost all exactly; at most nine counts a prompt.
TEST(SyntheticPrompts, EveryPromptIsFittedToItsDrawnLengthAsTheServerCountsIt) {
  int calls = 0;
  const TokenCounter server = [&calls](const std::string& s) -> std::optional<std::uint32_t> {
    ++calls;
    return toy_server_count(s);
  };
  for (const LengthSpec spec : {LengthSpec{200, 0}, LengthSpec{150, 40}, LengthSpec{12, 0}}) {
    calls = 0;
    const auto p = make_synthetic_prompts(spec, std::nullopt, 64, 3, server);
    std::size_t exact = 0;
    for (const auto& sp : p) {
      ASSERT_TRUE(sp.measured);
      EXPECT_EQ(sp.input_tokens, *server(sp.entry.prompt));
      const long off = static_cast<long>(sp.input_tokens) - static_cast<long>(sp.target_tokens);
      EXPECT_LE(std::abs(off), 1) << "target " << sp.target_tokens << " got " << sp.input_tokens;
      exact += off == 0;
    }
    EXPECT_GE(exact, 58u) << "most prompts land exactly on their length";
    EXPECT_LE(calls, 1 + 64 * 9 + 64) << "more than nine counts a prompt";
  }
}

// Shared prefixes: the prompts of a group all start with the same text, the
// groups' texts differ, each prefix is its asked length as text (the
// template's tokens around it not counted), and each whole prompt is the
// prefix plus its own drawn length, as the server counts it.
TEST(SyntheticPrompts, SharedPrefixesAreTheirLengthAndEveryPromptStartsWithItsGroups) {
  const TokenCounter server = [](const std::string& s) -> std::optional<std::uint32_t> { return toy_server_count(s); };
  const auto p = make_synthetic_prompts({40, 0}, std::nullopt, 64, 7, server, PrefixSpec{300, 3});
  std::vector<std::string> heads(3);
  std::vector<int> members(3, 0);
  for (const auto& sp : p) {
    ASSERT_LT(sp.prefix_group, 3u);
    ++members[sp.prefix_group];
    EXPECT_EQ(sp.target_tokens, 340u);
    EXPECT_LE(std::abs(static_cast<long>(sp.input_tokens) - 340), 1) << sp.input_tokens;
    // The group's prefix: the longest common start of its prompts, found below.
    std::string& h = heads[sp.prefix_group];
    if (h.empty()) {
      h = sp.entry.prompt;
    } else {
      std::size_t k = 0;
      while (k < h.size() && k < sp.entry.prompt.size() && h[k] == sp.entry.prompt[k]) ++k;
      h.resize(k);
    }
  }
  for (int g = 0; g < 3; ++g) {
    EXPECT_GT(members[g], 8) << "group " << g << " is (nearly) unused: the seed's choice is lopsided";
    // Common to all its prompts, and at least the prefix's 300 tokens of text.
    const std::uint32_t shared = *server(heads[g]) - 9;
    EXPECT_GE(shared, 299u) << "group " << g;
    EXPECT_LE(shared, 310u) << "group " << g << ": its prompts share more than the prefix";
  }
  EXPECT_NE(heads[0].substr(0, 200), heads[1].substr(0, 200));
  EXPECT_NE(heads[1].substr(0, 200), heads[2].substr(0, 200));
}

std::ptrdiff_t word_count(const std::string& s) { return s.empty() ? 0 : std::count(s.begin(), s.end(), ' ') + 1; }

// A server without /tokenize: every count fails. A prompt with a shared
// prefix is then the prefix's words and its own drawn length's, at about a
// token a word (prefix + input words), not the prefix and the one word that
// was to count the prefix.
TEST(SyntheticPrompts, WithoutACountAPrefixedPromptIsThePrefixAndItsOwnLength) {
  const TokenCounter failing = [](const std::string&) -> std::optional<std::uint32_t> { return std::nullopt; };
  // As given, and as plan_builder wraps a server's counter.
  for (const TokenCounter& counter : {failing, stop_after_first_failure(failing, [] {})}) {
    const auto p = make_synthetic_prompts({40, 0}, std::nullopt, 16, 7, counter, PrefixSpec{300, 2});
    ASSERT_EQ(p.size(), 16u);
    for (const auto& sp : p) {
      EXPECT_FALSE(sp.measured);
      EXPECT_EQ(sp.input_tokens, 340u);  // the estimate
      EXPECT_EQ(word_count(sp.entry.prompt), 340) << "prefix and input words";
    }
  }
}

// llmbench depth's prompts: a client's prefix (`head`, its count or
// estimate beside it), then pp tokens of its own. Without a count, the own
// part is pp words, whether the counter fails or there is none.
TEST(SyntheticPrompts, AFittedTextAfterAHeadWithoutACountIsTheHeadAndTheRest) {
  SplitMix64 rng(3);
  const std::string head = synthetic_words(1024, rng);
  const TokenCounter failing = [](const std::string&) -> std::optional<std::uint32_t> { return std::nullopt; };
  for (const TokenCounter& counter : {failing, TokenCounter{}}) {
    const FittedText f = fitted_text(1024 + 512, 9, 1.0, counter, head, 1024);
    EXPECT_FALSE(f.count.has_value());
    EXPECT_TRUE(f.text.starts_with(head));
    EXPECT_EQ(word_count(f.text), 1024 + 512) << (counter ? "failing counter" : "no counter");
  }
  // No head: the whole target.
  EXPECT_EQ(word_count(fitted_text(512, 9, 1.0, failing).text), 512);
}

TEST(SyntheticPrompts, SeededAndVaried) {
  const auto a = make_synthetic_prompts({64, 16}, std::nullopt, 8, 5, nullptr);
  const auto b = make_synthetic_prompts({64, 16}, std::nullopt, 8, 5, nullptr);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].entry.prompt, b[i].entry.prompt);
  EXPECT_NE(a[0].input_tokens, a[1].input_tokens);
}

}  // namespace
}  // namespace llmbench
