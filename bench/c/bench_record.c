/* C benchmark of libagentops: caller-thread ns per agentops_record_action() and the loss of a
 * 100k burst, against the loopback sink of bench/harness (AgentOps v2 routes) at SDK defaults.
 * N calls in chunks of 1000, each chunk timed; prints one line:
 *   RESULT {"n":..., "chunk_median_ns":..., "mean_ns":..., "delivered":..., "dropped":..., "left":..., "shutdown_s":...}
 *
 *   bench_record ENDPOINT [N]     (bench/run-c.sh builds it, starts the sink and repeats it) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "agentops.h"

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  long n = argc > 2 ? atol(argv[2]) : 100000;
  agentops_options *options = NULL;
  agentops_client *client = NULL;
  agentops_session *session = NULL;
  agentops_options_new(&options);
  agentops_options_set(options, "api_key", "2b4f6c1e-8a9d-4e3f-b5c7-1d2e3f4a5b6c");
  agentops_options_set(options, "endpoint", argv[1]);
  if (agentops_client_new(options, &client) != AGENTOPS_OK) return 1;
  agentops_options_free(options);
  if (agentops_session_start(client, NULL, NULL, &session) != AGENTOPS_OK) return 1;
  for (int i = 0; i < 2000; i++) agentops_record_action(session, "x", "{\"a\":1,\"b\":\"hello\"}", "\"ok\""); /* warm-up */
  agentops_flush(client, 30000);

  long chunks = n / 1000;
  double *per_call = malloc(sizeof(double) * (size_t)chunks);
  long failures = 0;
  double start = now_ns();
  for (long c = 0; c < chunks; c++) {
    double t0 = now_ns();
    for (int i = 0; i < 1000; i++)
      if (agentops_record_action(session, "x", "{\"a\":1,\"b\":\"hello\"}", "\"ok\"") != AGENTOPS_OK) failures++;
    per_call[c] = (now_ns() - t0) / 1000.0;
  }
  double mean = (now_ns() - start) / (double)(chunks * 1000);
  qsort(per_call, (size_t)chunks, sizeof(double), by_value);
  double t_shutdown = now_ns();
  agentops_shutdown_report report;
  agentops_shutdown(client, 60000, &report);
  printf("RESULT {\"n\":%ld, \"chunk_median_ns\":%.1f, \"mean_ns\":%.1f, \"refused\":%ld, \"delivered\":%llu, \"dropped\":%llu, \"left\":%llu, \"shutdown_s\":%.2f}\n",
         chunks * 1000, per_call[chunks / 2], mean, failures, (unsigned long long)report.stats.delivered - 2000,
         (unsigned long long)report.stats.dropped_total, (unsigned long long)report.left, (now_ns() - t_shutdown) / 1e9);
  free(per_call);
  agentops_session_free(session);
  agentops_client_free(client);
  return 0;
}
