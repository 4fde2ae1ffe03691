// SPDX-License-Identifier: MIT
//! Test support: loads the vector files with the crate's own JSON parser
//! (serde_json refuses the lone surrogates some vectors carry).

use serde_json::{Map, Number, Value};

use crate::json::{self, Sink, Text};

struct Tree;

fn owned(text: Text<'_>) -> String {
    match text {
        Text::Str(s) => s.into_owned(),
        Text::Utf16(units) => String::from_utf16_lossy(&units),
    }
}

impl Sink for Tree {
    type Value = Value;
    type Array = Vec<Value>;
    type Object = Map<String, Value>;
    type Error = String;

    fn null(&mut self) -> Result<Value, String> {
        Ok(Value::Null)
    }
    fn boolean(&mut self, value: bool) -> Result<Value, String> {
        Ok(Value::Bool(value))
    }
    fn integer(&mut self, literal: &str) -> Result<Value, String> {
        Ok(literal
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::Number(Number::from_f64(literal.parse().unwrap()).unwrap())))
    }
    fn float(&mut self, value: f64) -> Result<Value, String> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }
    fn string(&mut self, text: Text<'_>) -> Result<Value, String> {
        Ok(Value::String(owned(text)))
    }
    fn array(&mut self) -> Result<Vec<Value>, String> {
        Ok(Vec::new())
    }
    fn push(&mut self, array: &mut Vec<Value>, value: Value) -> Result<(), String> {
        array.push(value);
        Ok(())
    }
    fn finish_array(&mut self, array: Vec<Value>) -> Result<Value, String> {
        Ok(Value::Array(array))
    }
    fn object(&mut self) -> Result<Map<String, Value>, String> {
        Ok(Map::new())
    }
    fn insert(
        &mut self,
        object: &mut Map<String, Value>,
        key: Text<'_>,
        value: Value,
    ) -> Result<(), String> {
        object.insert(owned(key), value);
        Ok(())
    }
    fn finish_object(&mut self, object: Map<String, Value>) -> Result<Value, String> {
        Ok(Value::Object(object))
    }
    fn syntax_error(&mut self, message: &'static str, offset: usize) -> String {
        format!("{message} at byte {offset}")
    }
}

pub fn load_vectors(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    json::parse(&raw, &mut Tree).unwrap()
}
