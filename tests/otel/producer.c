/* Records one session through the OTLP exporter: chosen by the "exporter" option, the rest
 * configured by the environment (OTEL_EXPORTER_OTLP_ENDPOINT, ...): the same events as
 * producer.py, without the steps. Prints "SESSION <id>" first and "DONE" once the session
 * has ended; exits non-zero when a call fails. */
#include <stdio.h>

#include <agentops.h>

#define CHECK(call)                                                              \
  do {                                                                           \
    agentops_status status_ = (call);                                            \
    if (status_ != AGENTOPS_OK) {                                                \
      fprintf(stderr, "%s: %s\n", #call, agentops_status_str(status_));         \
      return 1;                                                                  \
    }                                                                            \
  } while (0)

int main(void) {
  agentops_options *options = NULL;
  agentops_client *client = NULL;
  agentops_session *session = NULL;
  agentops_action *risky = NULL;
  char id[37];
  CHECK(agentops_options_new(&options));
  CHECK(agentops_options_set(options, "exporter", "otlp"));
  CHECK(agentops_client_new(options, &client));
  agentops_options_free(options);
  CHECK(agentops_session_start(client, "producer,c", NULL, &session));
  CHECK(agentops_session_id(session, id, sizeof id));
  printf("SESSION %s\n", id);
  fflush(stdout);
  CHECK(agentops_record_llm(session, "demo-model", "\"Summarise\"", "\"A summary.\"", 42, 5));
  CHECK(agentops_record_tool(session, "web_search", "{\"query\":\"otlp\"}", "[\"r0\"]"));
  CHECK(agentops_action_begin(session, "risky_step", NULL, &risky));
  CHECK(agentops_action_fail(risky, "ValueError", "the tool returned garbage"));
  CHECK(agentops_session_end(session, "Success", NULL, NULL));
  printf("DONE\n");
  agentops_session_free(session);
  agentops_client_free(client);
  return 0;
}
