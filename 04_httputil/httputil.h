// Chapter 04's umbrella header: everything Tornado's httputil.py offers.
// Each included header is one idea with its own contract; errors.h states
// the error rule that all of them follow.
#ifndef EDDY_04_HTTPUTIL_HTTPUTIL_H_
#define EDDY_04_HTTPUTIL_HTTPUTIL_H_

#include "04_httputil/dates.h"          // format_timestamp
#include "04_httputil/errors.h"         // HTTPInputError
#include "04_httputil/form.h"           // HTTPFile, parse_body_arguments
#include "04_httputil/head.h"           // parse_request_head, split_head
#include "04_httputil/header_params.h"  // parse_header (_parse_header)
#include "04_httputil/headers.h"        // HTTPHeaders
#include "04_httputil/responses.h"      // responses
#include "04_httputil/start_line.h"     // RequestStartLine, ResponseStartLine
#include "04_httputil/url.h"  // url_unescape, parse_qs_bytes, url_concat

#endif  // EDDY_04_HTTPUTIL_HTTPUTIL_H_
