#include "core/hosts.h"
