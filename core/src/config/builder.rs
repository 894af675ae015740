//! [`Options`]: values set in code, checked as they are set, applied over the environment
//! when the configuration is built. What every binding's `init(...)` / `configure(...)`
//! / options object / C setter fills in.

use super::Config;
use super::options::{self, OptionSpec};
use super::value::OptionValue;
use crate::error::Result;

#[derive(Debug, Clone, Default)]
pub struct Options {
    values: Vec<(&'static OptionSpec, OptionValue)>,
}

impl Options {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (snake_case or camelCase). An unknown key or a value of the wrong type
    /// is an `InvalidConfig` error now, not when the client starts. Setting a key again
    /// replaces its value, except tags, which are added to.
    pub fn set(&mut self, key: &str, value: impl Into<OptionValue>) -> Result<()> {
        let option = options::find(key)?;
        let mut value = value.into();
        option.apply(&mut Config::default(), &value, option.name)?;
        let previous = self.values.iter().position(|(o, _)| o.name == option.name);
        if option.accumulates() {
            let mut tags = match previous {
                Some(i) => option.parse_tags(&self.values[i].1)?,
                None => Vec::new(),
            };
            for tag in option.parse_tags(&value)? {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            value = OptionValue::List(tags);
        }
        match previous {
            Some(i) => self.values[i].1 = value,
            None => self.values.push((option, value)),
        }
        Ok(())
    }

    /// Whether `key` was set in code.
    pub fn is_set(&self, key: &str) -> bool {
        options::find(key).is_ok_and(|o| self.values.iter().any(|(set, _)| set.name == o.name))
    }

    /// Defaults, then the environment, then these values. Not yet validated as a whole
    /// (`Client::new` does that).
    pub fn build(&self) -> Result<Config> {
        self.apply_to(Config::from_env()?)
    }

    /// As [`Options::build`], reading the environment through `lookup`.
    pub fn build_with_lookup(&self, lookup: impl Fn(&str) -> Option<String>) -> Result<Config> {
        self.apply_to(Config::from_lookup(lookup)?)
    }

    fn apply_to(&self, mut config: Config) -> Result<Config> {
        for (option, value) in &self.values {
            option.apply(&mut config, value, option.name)?;
        }
        Ok(config)
    }
}
