// Grading tests of exercise 06.1 (restart_policy.h). Time is passed in;
// nothing waits.
#include "06_process/exercises/restart_policy.h"

#include <optional>
#include <stdexcept>

#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

RestartPolicyOptions options(int max_failures = 10, double window = 60,
                             double base = 0.1, double max = 30,
                             double healthy = 10) {
  return RestartPolicyOptions{max_failures, window, base, max, healthy};
}

TEST(RestartPolicyTest, CleanExitRestartsAtOnce) {
  RestartPolicy p(options());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(p.on_exit(0, i * 0.01, false), 0.0);
}

TEST(RestartPolicyTest, DelaysDoublePerConsecutiveFailureUpToTheCap) {
  RestartPolicy p(options(100, 60, 0.5, 5, 1000));
  double now = 0;
  double want[] = {0.5, 1, 2, 4, 5, 5};
  for (double w : want) {
    std::optional<double> d = p.on_exit(3, now, true);
    ASSERT_TRUE(d.has_value());
    EXPECT_DOUBLE_EQ(*d, w);
    now += *d + 0.01;  // Crashes right after its restart.
  }
}

TEST(RestartPolicyTest, StreaksArePerTask) {
  RestartPolicy p(options(100, 60, 1, 100, 1000));
  EXPECT_DOUBLE_EQ(*p.on_exit(0, 0, true), 1);
  EXPECT_DOUBLE_EQ(*p.on_exit(0, 1.1, true), 2);
  EXPECT_DOUBLE_EQ(*p.on_exit(1, 1.2, true), 1) << "task 1's first failure";
  EXPECT_DOUBLE_EQ(*p.on_exit(0, 3.2, true), 4);
  EXPECT_DOUBLE_EQ(*p.on_exit(1, 3.3, true), 2);
}

TEST(RestartPolicyTest, CleanExitEndsTheStreak) {
  RestartPolicy p(options(100, 60, 1, 100, 1000));
  EXPECT_DOUBLE_EQ(*p.on_exit(0, 0, true), 1);
  EXPECT_DOUBLE_EQ(*p.on_exit(0, 2, true), 2);
  EXPECT_EQ(*p.on_exit(0, 5, false), 0);
  EXPECT_DOUBLE_EQ(*p.on_exit(0, 6, true), 1);
}

TEST(RestartPolicyTest, HealthyRunEndsTheStreak) {
  RestartPolicy p(options(100, 1000, 1, 100, 10));
  EXPECT_DOUBLE_EQ(*p.on_exit(0, 0, true), 1);  // Restarted at 1.
  EXPECT_DOUBLE_EQ(*p.on_exit(0, 5, true), 2);  // Ran 4 s: streak goes on.
  // Restarted at 7; ran 9.75 s: not yet healthy.
  EXPECT_DOUBLE_EQ(*p.on_exit(0, 16.75, true), 4);
  // Restarted at 20.75; ran exactly 10 s: healthy, streak over.
  EXPECT_DOUBLE_EQ(*p.on_exit(0, 30.75, true), 1);
}

TEST(RestartPolicyTest, GivesUpAfterTooManyFailuresInTheWindow) {
  RestartPolicy p(options(3, 10, 0, 0, 1000));
  EXPECT_TRUE(p.on_exit(0, 0, true).has_value());
  EXPECT_TRUE(p.on_exit(1, 1, true).has_value());
  EXPECT_TRUE(p.on_exit(2, 2, true).has_value());
  EXPECT_FALSE(p.on_exit(0, 3, true).has_value()) << "4 failures in 10 s";
}

TEST(RestartPolicyTest, OldFailuresLeaveTheWindow) {
  RestartPolicy p(options(2, 10, 0, 0, 1000));
  EXPECT_TRUE(p.on_exit(0, 0, true).has_value());
  EXPECT_TRUE(p.on_exit(0, 5, true).has_value());
  // The failure at 0 is exactly 10 s old at 10: it no longer counts.
  EXPECT_TRUE(p.on_exit(0, 10, true).has_value());
  EXPECT_FALSE(p.on_exit(0, 12, true).has_value()) << "5, 10, 12";
}

TEST(RestartPolicyTest, RareFailuresNeverGiveUp) {
  // One crash a week for ten years: the old max_restarts would give up.
  RestartPolicy p(options(10, 60, 0.1, 30, 10));
  for (int week = 0; week < 520; ++week)
    ASSERT_TRUE(p.on_exit(week % 4, week * 604800.0, true).has_value())
        << "week " << week;
}

TEST(RestartPolicyTest, CleanExitsNeverCountAsFailures) {
  RestartPolicy p(options(0, 60, 0, 0, 10));
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(p.on_exit(0, i, false).has_value());
  EXPECT_FALSE(p.on_exit(0, 11, true).has_value()) << "max_failures = 0";
}

TEST(RestartPolicyTest, BadOptionsThrow) {
  EXPECT_THROW(RestartPolicy(options(-1)), std::invalid_argument);
  EXPECT_THROW(RestartPolicy(options(1, 0)), std::invalid_argument);
  EXPECT_THROW(RestartPolicy(options(1, 10, -1)), std::invalid_argument);
  EXPECT_THROW(RestartPolicy(options(1, 10, 5, 1)), std::invalid_argument);
  EXPECT_THROW(RestartPolicy(options(1, 10, 1, 5, -1)), std::invalid_argument);
  EXPECT_NO_THROW(RestartPolicy(options(0, 1, 0, 0, 0)));
}

}  // namespace
}  // namespace eddy::exercises
