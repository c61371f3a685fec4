#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "llmbench/util/atomic_file.hpp"

using llmbench::util::write_file_atomically;

TEST(AtomicWrite, ReplacesTheFileWhole) {
  const std::string path = "/tmp/llmbench-atomic-test-" + std::to_string(::getpid()) + ".json";
  auto first = write_file_atomically(path, "{\"a\":1}");
  ASSERT_TRUE(first) << first.error();
  auto second = write_file_atomically(path, "{\"b\":2}");
  ASSERT_TRUE(second) << second.error();
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "{\"b\":2}");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_NE(st.st_mode & 0044, 0u) << "readable like any file the user creates";
  std::remove(path.c_str());
}

TEST(AtomicWrite, AFailureLeavesTheOldFileAndSaysWhy) {
  auto r = write_file_atomically("/nonexistent-dir/x.json", "{}");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("cannot write /nonexistent-dir/x.json"), std::string::npos) << r.error();
}
