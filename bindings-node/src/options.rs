//! The JS options object (camelCase keys of the core's option table) as core `Options`.
//! It crosses as JSON text: init is rare, and one decoder keeps the rules in the core.

use agentops_core::{OptionValue, Options};
use serde_json::Value;

use crate::errors::{JsResult, invalid_argument, to_js};

/// `undefined`/`null` values mean "not set"; any key the table does not know is an error.
pub fn options_from_json(text: Option<&str>) -> JsResult<Options> {
    let mut options = Options::new();
    let Some(text) = text else {
        return Ok(options);
    };
    let value: Value = serde_json::from_str(text)
        .map_err(|e| invalid_argument(format!("options must be an object: {e}")))?;
    let Value::Object(entries) = value else {
        return Err(invalid_argument("options must be an object"));
    };
    for (key, value) in entries {
        if let Some(value) = option_value(value) {
            options.set(&key, value).map_err(to_js)?;
        }
    }
    Ok(options)
}

fn option_value(value: Value) -> Option<OptionValue> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => OptionValue::Bool(b),
        Value::String(s) => OptionValue::Text(s),
        Value::Number(n) => match n.as_i64() {
            Some(i) => OptionValue::Int(i),
            None => OptionValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::Array(items) => OptionValue::List(items.into_iter().map(text_of).collect()),
        // Headers and resource attributes: `{ name: value }`.
        Value::Object(entries) => OptionValue::Map(
            entries
                .into_iter()
                .map(|(name, value)| (name, text_of(value)))
                .collect(),
        ),
    })
}

/// A string as it is, anything else as its JSON text.
fn text_of(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_keys_of_the_table_are_read_and_unknown_ones_refused() {
        let o = options_from_json(Some(
            r#"{"maxWaitTime": 250, "exporter": "file", "defaultTags": ["a"], "apiKey": null}"#,
        ))
        .unwrap();
        assert!(o.is_set("max_wait_time") && o.is_set("exporter") && !o.is_set("api_key"));
        assert!(options_from_json(Some(r#"{"nope": 1}"#)).is_err());
        assert!(options_from_json(Some(r#"{"maxWaitTime": "soon"}"#)).is_err());
        assert!(options_from_json(Some("[1]")).is_err());
        let o = options_from_json(Some(r#"{"otlpHeaders": {"x-key": "v", "n": 1}}"#)).unwrap();
        assert_eq!(o.build().unwrap().otlp_headers.get("n"), Some("1"));
        assert!(options_from_json(Some(r#"{"maxWaitTime": {"a": 1}}"#)).is_err());
    }
}
