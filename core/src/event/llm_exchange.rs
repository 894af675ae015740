//! One LLM API call as it went over the wire: the request body the client sent and the
//! response body it read, kept as bytes on the caller's thread and turned into the LLM
//! event's fields on the uploader's thread. An instrumented client call then costs its
//! caller a copy of two bodies, not a walk of the client's response objects; and the rule
//! for reading an API's bodies (where the completion and the token counts are) is written
//! once, here, for every binding.

use serde_json::Value;

use super::json::Json;
use super::{Event, EventKind, LlmFields};

/// The API whose bodies an exchange holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LlmApi {
    /// OpenAI Chat Completions (`POST /v1/chat/completions`), non-streamed.
    OpenAiChat,
}

impl LlmApi {
    pub fn parse(name: &str) -> Option<LlmApi> {
        match name {
            "openai.chat" => Some(LlmApi::OpenAiChat),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LlmExchange {
    api: LlmApi,
    request: Option<Box<[u8]>>,
    response: Box<[u8]>,
}

impl LlmExchange {
    /// `request`: the body sent, when the client library exposes it.
    pub fn new(api: LlmApi, request: Option<Vec<u8>>, response: Vec<u8>) -> Self {
        LlmExchange {
            api,
            request: request.map(Vec::into_boxed_slice),
            response: response.into_boxed_slice(),
        }
    }

    /// What the fields it becomes add to the event's size: the bodies appear about twice
    /// (the response as `returns` and in part as the completion; the request as `params`
    /// and in part as the prompt).
    pub fn estimated_size(&self) -> usize {
        2 * (self.response.len() + self.request.as_ref().map_or(0, |r| r.len()))
    }

    /// Fills the event's fields from the bodies; a field the event already has is kept.
    /// - `params`: the request body; `prompt`: its `messages`; `model`: its `model`.
    /// - `returns`: the response body (as a string when it is not JSON); `completion`: the
    ///   first choice's `message`; `model` (the response's wins over any other), and
    ///   `prompt_tokens` / `completion_tokens` from its `usage`.
    fn apply(self, event: &mut Event, llm: &mut LlmFields) {
        match self.api {
            LlmApi::OpenAiChat => {
                if let Some(request) = self.request.as_deref().and_then(parse_object) {
                    fill(&mut llm.prompt, || {
                        request.get("messages").cloned().map(Json::from)
                    });
                    fill(&mut llm.model, || model_of(&request));
                    fill(&mut event.params, || Some(Json::from(request)));
                }
                let Some(response) = parse_object(&self.response) else {
                    let text = String::from_utf8_lossy(&self.response).into_owned();
                    fill(&mut event.returns, || Some(Json::from(Value::String(text))));
                    return;
                };
                read_openai_chat_answer(&response, llm);
                fill(&mut event.returns, || Some(Json::from(response)));
            }
        }
    }
}

fn read_openai_chat_answer(response: &Value, llm: &mut LlmFields) {
    if let Some(model) = model_of(response) {
        llm.model = Some(model);
    }
    let first_message = response.pointer("/choices/0/message");
    fill(&mut llm.completion, || {
        first_message.cloned().map(Json::from)
    });
    let usage = response.get("usage");
    let tokens = |name: &str| usage.and_then(|u| u.get(name)).and_then(Value::as_u64);
    fill(&mut llm.prompt_tokens, || tokens("prompt_tokens"));
    fill(&mut llm.completion_tokens, || tokens("completion_tokens"));
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
