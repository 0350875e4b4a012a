//! Reading the server's Prometheus scrape in tests.

use crate::support::app::TestApp;

/// The sum of every series of `name` whose labels contain all of `labels`.
pub fn metric(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| line.starts_with(name) && line[name.len()..].starts_with(['{', ' ']))
        .filter(|line| labels.iter().all(|label| line.contains(label)))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The text of `GET /metrics`, which must answer 200.
pub async fn scrape(app: &TestApp) -> String {
    let response = app.browser().get("/metrics").await;
    assert_eq!(response.status(), 200);
    response.text().await.expect("the scrape's body")
}
