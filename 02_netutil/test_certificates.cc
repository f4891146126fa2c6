#include "02_netutil/test_certificates.h"
