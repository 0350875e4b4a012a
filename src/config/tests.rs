//! The settings' parsing and checks.

use super::*;

#[test]
fn every_setting_has_its_documented_environment_variable() {
    use clap::CommandFactory;
    let command = Config::command();
    let envs: Vec<String> = command
        .get_arguments()
        .filter_map(|arg| arg.get_env())
        .map(|env| env.to_string_lossy().into_owned())
        .collect();
    for name in [
        "BIND_ADDR",
        "DATABASE_URL",
        "SECRET_KEY",
        "BCRYPT_COST",
        "BCRYPT_QUEUE_LIMIT",
        "LOGIN_ADDRESS_FAILURE_LIMIT",
        "LOGIN_ADDRESS_FAILURE_WINDOW_SECS",
        "PRESENCE_GRACE_MS",
        "PRESENCE_LOGIN_HOLD_MS",
        "PRESENCE_IDLE_MS",
        "WS_HEARTBEAT_MS",
        "WS_CLIENT_TIMEOUT_MS",
        "RUST_LOG",
    ] {
        assert!(envs.iter().any(|e| e == name), "{name} is missing");
    }
}

#[test]
fn a_timeout_not_above_the_heartbeat_is_rejected() {
    let config = Config {
        ws_heartbeat_ms: 5000,
        ws_client_timeout_ms: 5000,
        ..Config::default()
    };
    assert!(config.validate().is_err());
    assert!(Config::default().validate().is_ok());
}

#[test]
fn flags_override_the_defaults() {
    let config = Config::try_parse_from([
        "presence",
        "--bind-addr",
        "0.0.0.0:9000",
        "--bcrypt-cost",
        "4",
        "--presence-grace-ms",
        "0",
        "--presence-idle-ms",
        "2000",
    ])
    .unwrap();
    assert_eq!(config.presence_idle_ms, 2000);
    assert_eq!(Config::default().presence_idle_ms, 300_000);
    assert_eq!(config.bind_addr, "0.0.0.0:9000");
    assert_eq!(config.bcrypt_cost, 4);
    assert_eq!(config.presence_grace_ms, 0);
}

#[test]
fn a_bcrypt_queue_of_zero_is_rejected() {
    assert!(Config::try_parse_from(["presence", "--bcrypt-queue-limit", "0"]).is_err());
    let config = Config::try_parse_from(["presence", "--bcrypt-queue-limit", "3"]).unwrap();
    assert_eq!(config.bcrypt_queue_limit, 3);
}

#[test]
fn a_bcrypt_cost_outside_4_to_31_is_rejected() {
    assert!(Config::try_parse_from(["presence", "--bcrypt-cost", "3"]).is_err());
    assert!(Config::try_parse_from(["presence", "--bcrypt-cost", "32"]).is_err());
}

#[test]
fn an_idle_timeout_of_zero_is_rejected() {
    assert!(Config::try_parse_from(["presence", "--presence-idle-ms", "0"]).is_err());
}
