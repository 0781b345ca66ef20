// Tests for this module are written with it.
#include <gtest/gtest.h>
