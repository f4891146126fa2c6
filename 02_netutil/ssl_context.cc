#include "02_netutil/ssl_context.h"
