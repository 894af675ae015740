//! One LLM API call as it went over the wire: the request body the client sent and the
//! response body it read, kept as bytes on the caller's thread and turned into the LLM
//! event's fields on the uploader's thread. An instrumented client call then costs its
//! caller a copy of two bodies, not a walk of the client's response objects; and the rule
//! for reading an API's bodies (where the completion and the token counts are) is written
//! once, here, for every binding.

use serde_json::Value;

use super::json::Json;
use super::{Event, EventKind, LlmFields};

/// The API whose bodies an exchange holds (non-streamed calls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LlmApi {
    /// OpenAI Chat Completions (`POST /v1/chat/completions`).
    OpenAiChat,
    /// Anthropic Messages (`POST /v1/messages`).
    AnthropicMessages,
}

impl LlmApi {
    pub fn parse(name: &str) -> Option<LlmApi> {
        match name {
            "openai.chat" => Some(LlmApi::OpenAiChat),
            "anthropic.messages" => Some(LlmApi::AnthropicMessages),
            _ => None,
        }
    }

    /// The prompt of a request: its `messages`, with Anthropic's `system` first as a
    /// system message.
    fn prompt_of(self, request: &Value) -> Option<Json> {
        let messages = request.get("messages")?;
        let system = request.get("system").filter(|s| !s.is_null());
        match (self, system) {
            (LlmApi::AnthropicMessages, Some(system)) => {
                let mut all = vec![serde_json::json!({"role": "system", "content": system})];
                all.extend(messages.as_array().into_iter().flatten().cloned());
                Some(Json::from(Value::Array(all)))
            }
            _ => Some(Json::from(messages.clone())),
        }
    }

    /// The completion of an answer, and the names of its usage's token counts.
    fn completion_of(self, response: &Value) -> (Option<Value>, [&'static str; 2]) {
        match self {
            LlmApi::OpenAiChat => (
                response.pointer("/choices/0/message").cloned(),
                ["prompt_tokens", "completion_tokens"],
            ),
            LlmApi::AnthropicMessages => (
                response
                    .get("content")
                    .map(|content| serde_json::json!({"role": "assistant", "content": content})),
                ["input_tokens", "output_tokens"],
            ),
        }
    }
}

/// A call whose LLM fields are still to be read, by its API's rule, from its request and
/// answer as JSON: the bodies as they went over the wire, or what a binding wrote of the
/// call's values. They become the event's `params` and `returns` too.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmExchange {
    api: LlmApi,
    request: Option<Box<[u8]>>,
    response: Option<Box<[u8]>>,
}

impl LlmExchange {
    /// `request`: the body sent, when the client library exposes it.
    pub fn new(api: LlmApi, request: Option<Vec<u8>>, response: Vec<u8>) -> Self {
        Self::of_call(api, request, Some(response))
    }

    /// A call's request and answer as JSON, either unknown (a call that failed has no
    /// answer). Read before any field is cut, so a long request still gives its model.
    pub fn of_call(api: LlmApi, request: Option<Vec<u8>>, answer: Option<Vec<u8>>) -> Self {
        LlmExchange {
            api,
            request: request.map(Vec::into_boxed_slice),
            response: answer.map(Vec::into_boxed_slice),
        }
    }

    /// What the fields it becomes add to the event's size: the bodies appear about twice
    /// (the response as `returns` and in part as the completion; the request as `params`
    /// and in part as the prompt).
    pub fn estimated_size(&self) -> usize {
        let len = |body: &Option<Box<[u8]>>| body.as_ref().map_or(0, |b| b.len());
        2 * (len(&self.response) + len(&self.request))
    }

    /// Fills the event's fields; a field the event already has is kept. `params`: the
    /// request; `returns`: the answer (as a string when it is not JSON); the LLM fields as
    /// [`LlmApi::read`] finds them.
    fn apply(self, event: &mut Event, llm: &mut LlmFields) {
        let request = self.request.as_deref().and_then(parse_object);
        let answer = self
            .response
            .as_deref()
            .map(|body| (parse_object(body), body));
        self.api.read(
            request.as_ref(),
            answer.as_ref().and_then(|(a, _)| a.as_ref()),
            llm,
        );
        if let Some(request) = request {
            fill(&mut event.params, || Some(Json::from(request)));
        }
        let returns = match answer {
            Some((Some(answer), _)) => Json::from(answer),
            Some((None, body)) => {
                Json::from(Value::String(String::from_utf8_lossy(body).into_owned()))
            }
            None => return,
        };
        fill(&mut event.returns, || Some(returns));
    }
}

impl LlmApi {
    /// Fills an LLM event's fields from the call's request and answer (either may be
    /// unknown); a field already set is kept, except `model`, where the answer's wins.
    /// - from the request: `prompt` (its messages, see `prompt_of`) and `model`;
    /// - from the answer: `completion` (OpenAI: the first choice's message; Anthropic: the
    ///   `content` blocks as an assistant message), `model`, and its `usage` token counts.
    pub fn read(self, request: Option<&Value>, answer: Option<&Value>, llm: &mut LlmFields) {
        if let Some(request) = request {
            fill(&mut llm.prompt, || self.prompt_of(request));
            fill(&mut llm.model, || model_of(request));
        }
        if let Some(answer) = answer {
            read_answer(self, answer, llm);
        }
    }
}

fn read_answer(api: LlmApi, response: &Value, llm: &mut LlmFields) {
    if let Some(model) = model_of(response) {
        llm.model = Some(model);
    }
    let (completion, [prompt_tokens, completion_tokens]) = api.completion_of(response);
    fill(&mut llm.completion, || completion.map(Json::from));
    let usage = response.get("usage");
    let tokens = |name: &str| usage.and_then(|u| u.get(name)).and_then(Value::as_u64);
    fill(&mut llm.prompt_tokens, || tokens(prompt_tokens));
    fill(&mut llm.completion_tokens, || tokens(completion_tokens));
}

fn model_of(body: &Value) -> Option<String> {
    body.get("model").and_then(Value::as_str).map(str::to_owned)
}

fn parse_object(body: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
}

fn fill<T>(slot: &mut Option<T>, value: impl FnOnce() -> Option<T>) {
    if slot.is_none() {
        *slot = value();
    }
}

impl Event {
    /// Turns a pending LLM exchange into the event's fields (the uploader's thread does it
    /// for every event it takes; it is a no-op for all others).
    pub fn settle_exchange(&mut self) {
        let EventKind::Llm(llm) = &mut self.kind else {
            return;
        };
        if let Some(exchange) = llm.exchange.take() {
            let mut llm = std::mem::take(llm);
            exchange.apply(self, &mut llm);
            self.kind = EventKind::Llm(llm);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event_of(exchange: LlmExchange, fields: LlmFields) -> Event {
        let mut event = Event::llm(LlmFields {
            exchange: Some(Box::new(exchange)),
            ..fields
        });
        event.settle_exchange();
        event
    }

    fn llm(event: &Event) -> &LlmFields {
        match &event.kind {
            EventKind::Llm(llm) => llm,
            other => panic!("not an LLM event: {other:?}"),
        }
    }

    fn value(json: &Option<Json>) -> Value {
        serde_json::to_value(json.as_ref().expect("set")).unwrap()
    }

    const REQUEST: &str =
        r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":0}"#;
    const RESPONSE: &str = r#"{"id":"c1","object":"chat.completion","model":"gpt-4o-2024-08-06",
        "choices":[{"index":0,"message":{"role":"assistant","content":"hello",
        "tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{}"}}]},
        "finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}"#;

    #[test]
    fn an_openai_chat_exchange_becomes_the_event_fields() {
        let exchange = LlmExchange::new(LlmApi::OpenAiChat, Some(REQUEST.into()), RESPONSE.into());
        let event = event_of(exchange, LlmFields::default());
        let fields = llm(&event);
        assert!(fields.exchange.is_none());
        assert_eq!(fields.model.as_deref(), Some("gpt-4o-2024-08-06"));
        assert_eq!(
            (fields.prompt_tokens, fields.completion_tokens),
            (Some(7), Some(3))
        );
        assert_eq!(
            value(&fields.prompt),
            json!([{"role": "user", "content": "hi"}])
        );
        let response: Value = serde_json::from_str(RESPONSE).unwrap();
        assert_eq!(value(&fields.completion), response["choices"][0]["message"]);
        assert_eq!(value(&event.returns), response);
        assert_eq!(
            value(&event.params),
            serde_json::from_str::<Value>(REQUEST).unwrap()
        );
    }

    #[test]
    fn fields_already_set_are_kept_and_missing_parts_leave_fields_unset() {
        let exchange = LlmExchange::new(
            LlmApi::OpenAiChat,
            Some(br#"{"model":"in-the-request"}"#.to_vec()),
            br#"{"choices":[]}"#.to_vec(),
        );
        let given = LlmFields {
            model: Some("requested".into()),
            prompt: Some(Json::from(json!("given prompt"))),
            ..Default::default()
        };
        let event = event_of(exchange, given);
        let fields = llm(&event);
        assert_eq!(fields.model.as_deref(), Some("requested"));
        assert_eq!(value(&fields.prompt), json!("given prompt"));
        assert!(fields.completion.is_none() && fields.prompt_tokens.is_none());
        assert_eq!(value(&event.params), json!({"model": "in-the-request"}));
        assert_eq!(value(&event.returns), json!({"choices": []}));
    }

    #[test]
    fn a_response_that_is_not_a_json_object_is_kept_as_text() {
        let exchange = LlmExchange::new(
            LlmApi::OpenAiChat,
            Some(b"not json".to_vec()),
            b"upstream \xff error".to_vec(),
        );
        let event = event_of(exchange, LlmFields::default());
        assert_eq!(value(&event.returns), json!("upstream \u{fffd} error"));
        assert!(event.params.is_none() && llm(&event).completion.is_none());
    }

    #[test]
    fn an_anthropic_messages_exchange_puts_the_system_prompt_first() {
        let request = json!({"model": "claude", "system": "be brief",
            "messages": [{"role": "user", "content": "hi"}], "max_tokens": 10});
        let response = json!({"id": "m1", "type": "message", "model": "claude-3",
            "content": [{"type": "text", "text": "hello"}],
            "usage": {"input_tokens": 9, "output_tokens": 2}});
        let exchange = LlmExchange::new(
            LlmApi::AnthropicMessages,
            Some(request.to_string().into_bytes()),
            response.to_string().into_bytes(),
        );
        let event = event_of(exchange, LlmFields::default());
        let fields = llm(&event);
        assert_eq!(
            value(&fields.prompt),
            json!([{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}])
        );
        assert_eq!(
            value(&fields.completion),
            json!({"role": "assistant", "content": [{"type": "text", "text": "hello"}]})
        );
        assert_eq!(
            (fields.prompt_tokens, fields.completion_tokens),
            (Some(9), Some(2))
        );
        assert_eq!(fields.model.as_deref(), Some("claude-3"));
        assert_eq!(
            (value(&event.params), value(&event.returns)),
            (request, response)
        );
    }

    #[test]
    fn the_size_estimate_counts_both_bodies() {
        let exchange =
            LlmExchange::new(LlmApi::OpenAiChat, Some(vec![b' '; 100]), vec![b' '; 1000]);
        let empty = Event::llm(LlmFields::default()).estimated_size();
        let event = Event::llm(LlmFields {
            exchange: Some(Box::new(exchange)),
            ..Default::default()
        });
        assert!(event.estimated_size() >= empty + 2200);
    }
}
