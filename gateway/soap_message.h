// Beginning and ending messages on a gSOAP context that is reused for message after message (a
// listener worker's, a kept-alive registry connection's).
//
// gSOAP clears its pointer and id hash tables (soap_free_temp: a 32 KB memset and a walk of 1999
// buckets, about 47,000 instructions) in soap_begin, in soap_begin_recv and in soap_end: three times a
// message, five times an inquiry. Once, in soap_begin_recv, is enough: nothing reads the tables before
// it. These two functions are soap_begin and soap_end less that clearing: two clearings an inquiry
// instead of five, 1.22 M -> 1.06 M instructions per inquiry in the whole gateway (bench/RESULTS.md).
#pragma once

#include <stdsoap2.h>

// begin_message repeats the field resets of soap_begin in stdsoap2.cpp: check them again on a new gSOAP.
static_assert(GSOAP_VERSION == 208124, "soap_message.h follows gSOAP 2.8.124's soap_begin and soap_end");

namespace doelpoort::gsoap {

/// soap_begin, but for its soap_free_temp: call soap_begin_recv next, which frees the last message's
/// temporary data itself.
inline void begin_message(struct soap* s) {
  s->error = SOAP_OK;
  if (s->keep_alive == 0) s->buflen = s->bufidx = 0;
  s->encoding = 0;
  s->mode = 0;
  s->part = SOAP_END;
  s->peeked = 0;
  s->ahead = 0;
  s->level = 0;
  s->encodingStyle = "";
}

/// soap_end, but for its soap_free_temp (the next soap_begin_recv does it): frees what the message
/// allocated, then closes the connection when the message's error or keep-alive count says so.
inline void end_message(struct soap* s) {
  soap_destroy(s);
  soap_dealloc(s, nullptr);
  soap_closesock(s);
}

}  // namespace doelpoort::gsoap
