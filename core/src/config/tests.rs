use std::time::Duration;

use super::*;

const KEY: &str = "6f1c0e4e-8a54-4c0c-9d35-1b1f3b0c2a11";

#[test]
fn defaults_match_agentops_03() {
    let c = Config::default();
    assert_eq!(c.endpoint, "https://api.agentops.ai");
    assert_eq!(c.max_wait_time, Duration::from_millis(5000));
    assert_eq!(c.max_queue_size, 512);
    assert!(c.auto_start_session && !c.skip_auto_end_session && c.instrument_llm_calls);
}

#[test]
fn every_option_is_reachable_by_its_names_and_env_var_and_round_trips_its_default() {
    let mut envs = std::collections::HashSet::new();
    for option in &OPTIONS {
        let prefix = if option.name.starts_with("otlp_")
            || option.name == "service_name"
            || option.name == "resource_attributes"
        {
            "OTEL_" // the OpenTelemetry SDKs' standard variables
        } else {
            "AGENTOPS_"
        };
        assert!(option.env.starts_with(prefix), "{}", option.name);
        assert!(envs.insert(option.env), "{} reused", option.env);
        assert_eq!(options::find(option.name).unwrap().name, option.name);
        assert_eq!(options::find(option.camel_name).unwrap().name, option.name);
        assert!(!option.doc.is_empty());
        // The shown default, set back through the table, gives the default config.
        if let Some(shown) = option.display(&Config::default()) {
            let mut c = Config::default();
            if !shown.is_empty() {
                c.set(option.name, shown.as_str()).unwrap();
            }
            assert_eq!(c, Config::default(), "{}", option.name);
        }
        let env = |k: &str| (k == option.env).then(|| "  ".to_owned());
        assert_eq!(
            Config::from_lookup(env).unwrap(),
            Config::default(),
            "blank {} is unset",
            option.env
        );
    }
}

#[test]
fn env_is_read_and_code_overrides_it() {
    let env = |k: &str| match k {
        "AGENTOPS_API_KEY" => Some(format!(" {KEY} ")),
        "AGENTOPS_API_ENDPOINT" => Some("http://127.0.0.1:9".to_owned()),
        "AGENTOPS_MAX_QUEUE_SIZE" => Some("7".to_owned()),
        "AGENTOPS_EXPORTER" => Some("file".to_owned()),
        "AGENTOPS_DEFAULT_TAGS" => Some("a, b,,c".to_owned()),
        "AGENTOPS_SHUTDOWN_TIMEOUT" => Some("0.25".to_owned()),
        "AGENTOPS_ENV_DATA_OPT_OUT" => Some("TRUE".to_owned()),
        _ => None,
    };
    let c = Config::from_lookup(env).unwrap();
    assert_eq!(c.api_key.as_deref(), Some(KEY), "trimmed");
    assert_eq!(c.endpoint, "http://127.0.0.1:9");
    assert_eq!(c.max_queue_size, 7);
    assert_eq!(c.exporter, Some(ExporterKind::File));
    assert_eq!(c.default_tags, ["a", "b", "c"]);
    assert_eq!(c.shutdown_timeout, Duration::from_millis(250));
    assert!(c.env_data_opt_out);
    c.validate().unwrap();

    let mut code = Options::new();
    code.set("max_queue_size", 9i64).unwrap();
    code.set("maxWaitTime", 250.0).unwrap();
    code.set("default_tags", vec!["x".to_owned()]).unwrap();
    let c = code.build_with_lookup(env).unwrap();
    assert_eq!(c.max_queue_size, 9);
    assert_eq!(c.max_wait_time, Duration::from_millis(250));
    assert_eq!(
        c.default_tags,
        ["x"],
        "code replaces the environment's tags"
    );
    assert_eq!(
        c.api_key.as_deref(),
        Some(KEY),
        "what code leaves alone comes from the environment"
    );
}

#[test]
fn tags_set_again_are_added_to() {
    let mut o = Options::new();
    o.set("default_tags", "a,b").unwrap();
    o.set("default_tags", vec!["b".to_owned(), "c".to_owned()])
        .unwrap();
    o.set("default_tags", r#"["d", 5]"#).unwrap();
    assert_eq!(
        o.build_with_lookup(|_| None).unwrap().default_tags,
        ["a", "b", "c", "d", "5"]
    );
}

#[test]
fn unknown_keys_and_bad_values_are_clear_errors_that_never_echo_a_key() {
    let mut o = Options::new();
    let err = o.set("max_queue_sise", 3i64).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(err.message().contains("max_queue_sise"));
    for (key, value) in [
        ("max_queue_size", OptionValue::from(-1i64)),
        ("max_queue_size", OptionValue::from(2.5)),
        ("max_queue_size", OptionValue::from("many")),
        ("shutdown_timeout", OptionValue::from(-1.0)),
        ("shutdown_timeout", OptionValue::from(f64::NAN)),
        ("auto_start_session", OptionValue::from("maybe")),
        ("endpoint", OptionValue::from("ftp://x")),
        ("endpoint", OptionValue::from("not a url")),
        ("exporter", OptionValue::from("kafka")),
        ("export_dir", OptionValue::from("")),
        ("default_tags", OptionValue::from(3i64)),
    ] {
        let err = o.set(key, value.clone()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{key} = {value:?}");
        assert!(err.message().contains(key), "{}", err.message());
    }
    let secret = "not-a-uuid-secret-value";
    let err = o.set("api_key", secret).unwrap_err();
    assert!(err.message().contains("api_key") && !err.to_string().contains(secret));
    let err =
        Config::from_lookup(|k| (k == "AGENTOPS_API_KEY").then(|| secret.to_owned())).unwrap_err();
    assert!(err.message().contains("AGENTOPS_API_KEY") && !err.to_string().contains(secret));
    let err = Config::from_lookup(|k| (k == "AGENTOPS_MAX_QUEUE_SIZE").then(|| "many".into()))
        .unwrap_err();
    assert!(err.message().contains("AGENTOPS_MAX_QUEUE_SIZE"));
    assert!(
        o.build_with_lookup(|_| None).is_ok(),
        "refused values were not kept"
    );
}

#[test]
fn validation_checks_values_against_each_other() {
    let with_key = |tweak: fn(&mut Config)| {
        let mut c = Config {
            api_key: Some(KEY.into()),
            ..Config::default()
        };
        tweak(&mut c);
        c.validate()
    };
    assert!(with_key(|_| {}).is_ok());
    let message = |r: Result<()>| r.unwrap_err().message().to_owned();
    assert!(message(with_key(|c| c.max_queue_size = 0)).contains("max_queue_size"));
    assert!(message(with_key(|c| c.max_buffered_bytes = 0)).contains("max_buffered_bytes"));
    assert!(
        message(with_key(|c| c.max_queue_size = c.max_buffered_events + 1))
            .contains("max_queue_size")
    );
    assert!(
        message(with_key(|c| c.retry_max_backoff = Duration::from_millis(1)))
            .contains("retry_initial_backoff")
    );
    assert!(message(with_key(|c| c.endpoint = "ftp://x".into())).contains("endpoint"));
}

#[test]
fn no_key_and_no_exporter_means_nothing_starts() {
    let err = Config::default().validate().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingApiKey);
    let file = Config {
        exporter: Some(ExporterKind::File),
        ..Config::default()
    };
    file.validate().unwrap();
}
