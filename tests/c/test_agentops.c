/* C tests of libagentops (include/agentops.h): a plain runner whose last line is
 * "N passed, N failed". Offline tests use the file exporter in AGENTOPS_TEST_DIR; with
 * AGENTOPS_TEST_ENDPOINT set (tests/c/run.sh starts the mock backend), one test records
 * against it and prints "MOCK_SESSION <id>" for the runner to check what arrived. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agentops.h"

static int passed, failed;
static const char *current;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      fprintf(stderr, "FAIL %s: %s (%s:%d)\n", current, #cond, __FILE__, __LINE__); \
      return 0;                                                                     \
    }                                                                               \
  } while (0)

#define CHECK_OK(call) CHECK((call) == AGENTOPS_OK)

static void run(const char *name, int (*test)(void)) {
  current = name;
  if (test()) {
    passed++;
    printf("ok %s\n", name);
  } else {
    failed++;
    printf("not ok %s\n", name);
  }
}

/* A client with the file exporter writing into AGENTOPS_TEST_DIR. */
static agentops_client *file_client(void) {
  agentops_options *options = NULL;
  agentops_client *client = NULL;
  if (agentops_options_new(&options) != AGENTOPS_OK) return NULL;
  agentops_options_set(options, "exporter", "file");
  agentops_options_set(options, "export_dir", getenv("AGENTOPS_TEST_DIR"));
  agentops_options_set(options, "max_wait_time", "50");
  agentops_client_new(options, &client);
  agentops_options_free(options);
  return client;
}

/* The whole JSONL file of a session, NUL-terminated (free it), or NULL. */
static char *session_file(const agentops_session *session) {
  char id[37], path[4096];
  if (agentops_session_id(session, id, sizeof id) != AGENTOPS_OK) return NULL;
  snprintf(path, sizeof path, "%s/%s.jsonl", getenv("AGENTOPS_TEST_DIR"), id);
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = calloc(1, (size_t)size + 1);
  if (text != NULL && fread(text, 1, (size_t)size, f) != (size_t)size) {
    free(text);
    text = NULL;
  }
  fclose(f);
  return text;
}

static int count_of(const char *text, const char *needle) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
  return n;
}

static int test_version_and_status_strings(void) {
  char expected[32];
  snprintf(expected, sizeof expected, "%d.%d.%d", AGENTOPS_VERSION_MAJOR, AGENTOPS_VERSION_MINOR, AGENTOPS_VERSION_PATCH);
  CHECK(strcmp(agentops_version(), expected) == 0);
  for (int s = AGENTOPS_OK; s <= AGENTOPS_ERR_PANIC; s++) CHECK(agentops_status_str(s) != NULL && agentops_status_str(s)[0] != '\0');
  CHECK(strcmp(agentops_status_str(AGENTOPS_ERR_INVALID_JSON), "the event JSON was not a JSON object; nothing was recorded") == 0);
  CHECK(strcmp(agentops_status_str(12345), "unknown status") == 0);
  CHECK(strcmp(agentops_status_str(-1), "unknown status") == 0);
  return 1;
}

static int test_options_are_checked_when_set(void) {
  agentops_options *options = NULL;
  CHECK_OK(agentops_options_new(&options));
  CHECK(agentops_options_set(options, "no_such_option", "1") == AGENTOPS_ERR_INVALID_CONFIG);
  CHECK(agentops_options_set(options, "max_wait_time", "soon") == AGENTOPS_ERR_INVALID_CONFIG);
  CHECK(agentops_options_set(options, "api_key", "not-a-uuid") == AGENTOPS_ERR_INVALID_CONFIG);
  CHECK_OK(agentops_options_set(options, "maxQueueSize", "100")); /* camelCase too */
  CHECK(agentops_options_set(options, NULL, "1") == AGENTOPS_ERR_NULL_ARGUMENT);
  CHECK(agentops_options_set(NULL, "exporter", "file") == AGENTOPS_ERR_NULL_ARGUMENT);
  CHECK(agentops_options_set(options, "exporter", "\xff\xfe") == AGENTOPS_ERR_INVALID_UTF8);
  CHECK(agentops_options_new(NULL) == AGENTOPS_ERR_NULL_ARGUMENT);
  agentops_options_free(options);
  agentops_options_free(NULL);
  agentops_client_free(NULL);
  agentops_session_free(NULL);
  agentops_action_free(NULL);
  return 1;
}

static int test_no_key_and_no_exporter_starts_nothing(void) {
  agentops_client *client = NULL;
  CHECK(agentops_client_new(NULL, &client) == AGENTOPS_ERR_MISSING_API_KEY);
  CHECK(client == NULL);
  CHECK(agentops_client_new(NULL, NULL) == AGENTOPS_ERR_NULL_ARGUMENT);
  return 1;
}

static int test_every_kind_is_recorded_and_linked(void) {
  agentops_client *client = file_client();
  agentops_session *session = NULL;
  CHECK(client != NULL);
  CHECK_OK(agentops_session_start(client, "c, test", NULL, &session));
  CHECK_OK(agentops_record_action(session, "search", "{\"q\":\"rust\"}", "[1,2]"));
  CHECK_OK(agentops_record_tool(session, "grep", NULL, "\"found\""));
  CHECK_OK(agentops_record_llm(session, "gpt-4o", "[{\"role\":\"user\",\"content\":\"hi\"}]", "\"yo\"", 3, -1));
  CHECK_OK(agentops_record_error(session, "Timeout", "took too long", "E1"));
  CHECK_OK(agentops_record_json(session, "{\"kind\":\"tool\",\"name\":\"from_json\",\"returns\":{\"ok\":true}}"));
  agentops_action *action = NULL;
  CHECK_OK(agentops_action_begin(session, "plan", "{\"goal\":\"x\"}", &action));
  CHECK_OK(agentops_action_end(action, "\"planned\""));
  CHECK_OK(agentops_action_begin(session, "risky", NULL, &action));
  CHECK_OK(agentops_action_fail(action, "RangeError", "too far"));
  CHECK_OK(agentops_session_add_tags(session, "extra"));
  double cost = 0;
  CHECK_OK(agentops_session_end(session, "Success", "done", &cost));
  CHECK(isnan(cost)); /* the file exporter knows no cost */
  char *text = session_file(session);
  CHECK(text != NULL);
  CHECK(strstr(text, "\"action_type\":\"search\",") != NULL || strstr(text, "\"action_type\":\"search\"") != NULL);
  CHECK(strstr(text, "\"params\":{\"q\":\"rust\"}") != NULL);
  CHECK(strstr(text, "\"name\":\"grep\"") != NULL);
  CHECK(strstr(text, "\"model\":\"gpt-4o\"") != NULL && strstr(text, "\"prompt_tokens\":3") != NULL);
  CHECK(strstr(text, "\"completion_tokens\"") == NULL); /* -1: unknown, left out */
  CHECK(strstr(text, "\"error_type\":\"Timeout\"") != NULL && strstr(text, "\"code\":\"E1\"") != NULL);
  CHECK(strstr(text, "\"name\":\"from_json\"") != NULL && strstr(text, "\"returns\":{\"ok\":true}") != NULL);
  CHECK(strstr(text, "\"returns\":\"planned\"") != NULL);
  CHECK(strstr(text, "\"error_type\":\"RangeError\"") != NULL && strstr(text, "\"trigger_event_type\":\"actions\"") != NULL);
  CHECK(strstr(text, "\"end_state\":\"Success\"") != NULL && strstr(text, "\"end_state_reason\":\"done\"") != NULL);
  CHECK(strstr(text, "\"tags\":[\"c\",\"test\",\"extra\"]") != NULL);
  CHECK(count_of(text, "\"type\":\"event\"") == 8);
  free(text);
  CHECK(agentops_session_end(session, "Success", NULL, NULL) == AGENTOPS_ERR_SESSION_ENDED);
  CHECK(agentops_record_action(session, "late", NULL, NULL) == AGENTOPS_ERR_SESSION_ENDED);
  agentops_session_free(session);
  agentops_client_free(client);
  return 1;
}

/* An LLM call given as its request and answer, naming its API: the core reads the fields. */
static int test_an_llm_call_naming_its_api_gets_its_fields_read_by_the_core(void) {
  agentops_client *client = file_client();
  agentops_session *session = NULL;
  CHECK(client != NULL);
  CHECK_OK(agentops_session_start(client, NULL, NULL, &session));
  CHECK_OK(agentops_record_json(session,
                                "{\"kind\":\"llm\",\"api\":\"openai.chat\","
                                "\"params\":{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]},"
                                "\"returns\":{\"model\":\"gpt-4o-1\",\"choices\":[{\"index\":0,"
                                "\"message\":{\"role\":\"assistant\",\"content\":\"yo\"}}],"
                                "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}}"));
  CHECK_OK(agentops_session_end(session, "Success", NULL, NULL));
  char *text = session_file(session);
  CHECK(text != NULL);
  CHECK(strstr(text, "\"prompt\":[{\"role\":\"user\",\"content\":\"hi\"}]") != NULL);
  CHECK(strstr(text, "\"completion\":{\"role\":\"assistant\",\"content\":\"yo\"}") != NULL);
  /* each once in `returns` and once as the event's own field */
  CHECK(count_of(text, "\"model\":\"gpt-4o-1\"") == 2);
  CHECK(count_of(text, "\"prompt_tokens\":5") == 2 && count_of(text, "\"completion_tokens\":2") == 2);
  CHECK(strstr(text, "\"api\"") == NULL);
  free(text);
  agentops_session_free(session);
  agentops_client_free(client);
  return 1;
}

static int test_bad_arguments_give_codes_and_record_nothing(void) {
  agentops_client *client = file_client();
  agentops_session *session = NULL;
  CHECK(client != NULL);
  CHECK_OK(agentops_session_start(client, NULL, NULL, &session));
  CHECK(agentops_record_json(session, "[1]") == AGENTOPS_ERR_INVALID_JSON);
  CHECK(agentops_record_json(session, "{not json") == AGENTOPS_ERR_INVALID_JSON);
  CHECK(agentops_record_action(session, NULL, NULL, NULL) == AGENTOPS_ERR_NULL_ARGUMENT);
  CHECK(agentops_record_action(NULL, "a", NULL, NULL) == AGENTOPS_ERR_NULL_ARGUMENT);
  CHECK(agentops_record_tool(session, "\xc3\x28", NULL, NULL) == AGENTOPS_ERR_INVALID_UTF8);
  CHECK(agentops_session_end(session, "Done", NULL, NULL) == AGENTOPS_ERR_INVALID_ARGUMENT);
  CHECK(agentops_action_end(NULL, NULL) == AGENTOPS_ERR_NULL_ARGUMENT);
  agentops_action *action = NULL;
  CHECK_OK(agentops_action_begin(session, "discarded", NULL, &action));
  agentops_action_free(action);
  char small[8];
  CHECK(agentops_session_id(session, small, sizeof small) == AGENTOPS_ERR_BUFFER_TOO_SMALL);
  agentops_session *other = NULL;
  CHECK(agentops_session_start(client, NULL, "not-a-uuid", &other) == AGENTOPS_ERR_INVALID_ARGUMENT);
  char agent[37];
  CHECK(agentops_session_create_agent(session, "a", "nope", agent, sizeof agent) == AGENTOPS_ERR_INVALID_ARGUMENT);
  CHECK_OK(agentops_session_create_agent(session, "planner", NULL, agent, sizeof agent));
  CHECK(strlen(agent) == 36);
  CHECK_OK(agentops_session_end(session, NULL, NULL, NULL)); /* the session stayed open */
  char *text = session_file(session);
  CHECK(text != NULL);
  CHECK(count_of(text, "\"type\":\"event\"") == 0);
  CHECK(strstr(text, "\"end_state\":\"Indeterminate\"") != NULL);
  free(text);
  agentops_session_free(session);
  agentops_client_free(client);
  return 1;
}

static int test_payloads_that_are_not_json_are_kept_as_strings(void) {
  agentops_client *client = file_client();
  agentops_session *session = NULL;
  CHECK(client != NULL);
  CHECK_OK(agentops_session_start(client, NULL, NULL, &session));
  CHECK_OK(agentops_record_action(session, "a", "{not json", NULL));
  CHECK_OK(agentops_record_tool(session, "t", NULL, "1 2"));
  CHECK_OK(agentops_record_action(session, "valid", " {\"k\": [1, \"v\"]} ", "\"ok\""));
  agentops_action *action = NULL;
  CHECK_OK(agentops_action_begin(session, "timed", "{bad", &action));
  CHECK_OK(agentops_action_end(action, "[1,"));
  CHECK_OK(agentops_session_end(session, "Success", NULL, NULL));
  char *text = session_file(session);
  CHECK(text != NULL);
  CHECK(strstr(text, "\"params\":\"{not json\"") != NULL);
  CHECK(strstr(text, "\"returns\":\"1 2\"") != NULL);
  CHECK(strstr(text, "\"params\":\"{bad\"") != NULL && strstr(text, "\"returns\":\"[1,\"") != NULL);
  CHECK(strstr(text, "\"params\": {\"k\": [1, \"v\"]} ") != NULL); /* valid JSON goes out verbatim */
  CHECK(count_of(text, "\"type\":\"event\"") == 4);
  free(text);
  agentops_session_free(session);
  agentops_client_free(client);
  return 1;
}

static int test_after_shutdown_calls_give_shut_down(void) {
  agentops_client *client = file_client();
  agentops_session *session = NULL;
  CHECK(client != NULL);
  CHECK_OK(agentops_session_start(client, NULL, NULL, &session));
  CHECK_OK(agentops_record_action(session, "before", NULL, NULL));
  agentops_shutdown_report report;
  CHECK_OK(agentops_shutdown(client, 5000, &report));
  CHECK(report.completed && report.left == 0 && report.stats.delivered == 1);
  CHECK(agentops_record_action(session, "after", NULL, NULL) == AGENTOPS_ERR_SHUT_DOWN);
  agentops_stats stats;
  CHECK_OK(agentops_stats_get(client, &stats));
  CHECK(stats.dropped[AGENTOPS_DROP_AFTER_SHUTDOWN] == 1 && stats.dropped_total == 1);
  CHECK_OK(agentops_shutdown(client, 5000, NULL)); /* idempotent */
  char *text = session_file(session);
  CHECK(text != NULL && strstr(text, "N/A (process exited without calling agentops.end_session(...))") != NULL);
  free(text);
  agentops_session_free(session);
  agentops_client_free(client);
  return 1;
}

struct worker {
  agentops_session *session;
  int failures;
};

static void *record_many(void *arg) {
  struct worker *w = arg;
  for (int i = 0; i < 1000; i++)
    if (agentops_record_action(w->session, "threaded", "{\"i\":1}", NULL) != AGENTOPS_OK) w->failures++;
  return NULL;
}

static int test_many_threads_record_on_one_client(void) {
  agentops_client *client = file_client();
  agentops_session *session = NULL;
  CHECK(client != NULL);
  CHECK_OK(agentops_session_start(client, NULL, NULL, &session));
  pthread_t threads[4];
  struct worker workers[4];
  for (int i = 0; i < 4; i++) {
    workers[i] = (struct worker){session, 0};
    CHECK(pthread_create(&threads[i], NULL, record_many, &workers[i]) == 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(threads[i], NULL);
    CHECK(workers[i].failures == 0);
  }
  CHECK_OK(agentops_flush(client, 10000));
  agentops_stats stats;
  CHECK_OK(agentops_stats_get(client, &stats));
  CHECK(stats.delivered == 4000 && stats.dropped_total == 0);
  agentops_session_free(session);
  agentops_client_free(client);
  return 1;
}

static int test_against_the_mock_backend(void) {
  const char *endpoint = getenv("AGENTOPS_TEST_ENDPOINT");
  if (endpoint == NULL) {
    printf("# skipped: AGENTOPS_TEST_ENDPOINT not set\n");
    return 1;
  }
  agentops_options *options = NULL;
  agentops_client *client = NULL;
  agentops_session *session = NULL;
  CHECK_OK(agentops_options_new(&options));
  CHECK_OK(agentops_options_set(options, "endpoint", endpoint));
  CHECK_OK(agentops_options_set(options, "max_wait_time", "50"));
  CHECK_OK(agentops_options_set(options, "api_key", getenv("AGENTOPS_TEST_API_KEY")));
  CHECK_OK(agentops_client_new(options, &client));
  agentops_options_free(options);
  CHECK_OK(agentops_session_start(client, "mock", NULL, &session));
  for (int i = 0; i < 3; i++) CHECK_OK(agentops_record_action(session, "mocked", "{\"i\":1}", NULL));
  double cost = 0;
  CHECK_OK(agentops_session_end(session, "Fail", "mock run", &cost));
  CHECK(cost == 5.0); /* the mock backend's --token-cost */
  char id[37];
  CHECK_OK(agentops_session_id(session, id, sizeof id));
  printf("MOCK_SESSION %s\n", id);
  agentops_session_free(session);
  agentops_client_free(client);
  return 1;
}

static int test_a_forked_child_keeps_recording(void) {
  agentops_client *client = file_client();
  agentops_session *session = NULL;
  CHECK(client != NULL);
  CHECK_OK(agentops_session_start(client, NULL, NULL, &session));
  CHECK_OK(agentops_record_action(session, "parent", NULL, NULL));
  pid_t pid = fork();
  if (pid == 0) {
    int ok = agentops_record_action(session, "child", NULL, NULL) == AGENTOPS_OK && agentops_flush(client, 10000) == AGENTOPS_OK;
    _exit(ok ? 0 : 1);
  }
  CHECK(pid > 0);
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK_OK(agentops_session_end(session, "Success", NULL, NULL));
  char *text = session_file(session);
  CHECK(text != NULL);
  CHECK(strstr(text, "\"action_type\":\"parent\"") != NULL);
  CHECK(strstr(text, "\"action_type\":\"child\"") != NULL);
  free(text);
  agentops_session_free(session);
  agentops_client_free(client);
  return 1;
}

int main(void) {
  if (getenv("AGENTOPS_TEST_DIR") == NULL) {
    fprintf(stderr, "set AGENTOPS_TEST_DIR to a writable directory\n");
    return 2;
  }
  run("version_and_status_strings", test_version_and_status_strings);
  run("options_are_checked_when_set", test_options_are_checked_when_set);
  run("no_key_and_no_exporter_starts_nothing", test_no_key_and_no_exporter_starts_nothing);
  run("every_kind_is_recorded_and_linked", test_every_kind_is_recorded_and_linked);
  run("an_llm_call_naming_its_api_gets_its_fields_read_by_the_core",
      test_an_llm_call_naming_its_api_gets_its_fields_read_by_the_core);
  run("bad_arguments_give_codes_and_record_nothing", test_bad_arguments_give_codes_and_record_nothing);
  run("payloads_that_are_not_json_are_kept_as_strings", test_payloads_that_are_not_json_are_kept_as_strings);
  run("after_shutdown_calls_give_shut_down", test_after_shutdown_calls_give_shut_down);
  run("many_threads_record_on_one_client", test_many_threads_record_on_one_client);
  run("against_the_mock_backend", test_against_the_mock_backend);
  if (getenv("AGENTOPS_TEST_NO_FORK") == NULL) run("a_forked_child_keeps_recording", test_a_forked_child_keeps_recording);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
