/* agentops quickstart for C: record an agent session offline (no API key, no network).
 *
 *     bash bindings-c/install.sh "$HOME/.local"
 *     export PKG_CONFIG_PATH="$HOME/.local/lib/pkgconfig"
 *     cc examples/c/quickstart.c $(pkg-config --cflags --libs agentops) -o quickstart && ./quickstart
 *
 * The session is written as JSON Lines by the file exporter into AGENTOPS_EXPORT_DIR (or
 * ./agentops_sessions). With an API key (AGENTOPS_API_KEY) and without the "exporter" option
 * the same code sends it to AgentOps. */
#include <stdio.h>
#include <stdlib.h>

#include <agentops.h>

static int check(agentops_status status, const char *what) {
  if (status != AGENTOPS_OK) fprintf(stderr, "%s: %s\n", what, agentops_status_str(status));
  return status == AGENTOPS_OK;
}

int main(void) {
  agentops_options *options = NULL;
  agentops_client *client = NULL;
  agentops_session *session = NULL;
  if (!check(agentops_options_new(&options), "options")) return 1;
  agentops_options_set(options, "exporter", "file");
  const char *dir = getenv("AGENTOPS_EXPORT_DIR");
  if (dir != NULL) agentops_options_set(options, "export_dir", dir);
  int ok = check(agentops_client_new(options, &client), "client");
  agentops_options_free(options);
  if (!ok || !check(agentops_session_start(client, "quickstart", NULL, &session), "session")) return 1;

  /* A tool call, timed like a decorated function: begin, then end with its result. */
  agentops_action *search = NULL;
  check(agentops_action_begin(session, "web_search", "{\"query\":\"agent observability\"}", &search), "begin");
  check(agentops_action_end(search, "[\"result 0\",\"result 1\"]"), "end");
  /* An LLM call you made yourself. */
  check(agentops_record_llm(session, "demo-model", "\"Summarise: ...\"", "\"A short summary.\"", 42, 5), "llm");
  /* A step that failed: the action and a linked error event. */
  agentops_action *risky = NULL;
  check(agentops_action_begin(session, "risky_step", NULL, &risky), "begin");
  check(agentops_action_fail(risky, "ValueError", "the tool returned garbage"), "fail");
  check(agentops_record_action(session, "done", "{\"hits\":2}", NULL), "action");

  char id[37];
  agentops_session_id(session, id, sizeof id);
  check(agentops_session_end(session, "Success", NULL, NULL), "end session");
  agentops_stats stats;
  agentops_stats_get(client, &stats);
  printf("Session %s recorded to %s/%s.jsonl (%llu events delivered)\n", id, dir != NULL ? dir : "agentops_sessions", id,
         (unsigned long long)stats.delivered);
  agentops_session_free(session);
  agentops_client_free(client);
  return 0;
}
