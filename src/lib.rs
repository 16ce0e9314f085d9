//! doorstep: getting food, medicine and infant supplies to households in home isolation.
//!
//! The crate is one library with a thin binary (`src/main.rs`). Module boundaries are drawn as
//! firmly as crate boundaries:
//!
//! - compute modules — [`osm`], [`geocode`], [`road`], [`optimize`], [`zone`] — work on plain data
//!   and never import [`db`] or [`web`];
//! - [`db`] is the diesel data layer over SQLite or PostgreSQL;
//! - [`web`] is the actix-web service: pages, JSON API, one error type mapped to HTTP.

pub mod auth;
pub mod db;
pub mod dispatch;
pub mod domain;
pub mod engine;
pub mod geocode;
pub mod i18n;
pub mod intake;
pub mod mapview;
pub mod optimize;
pub mod osm;
pub mod road;
pub mod sample;
pub mod service;
pub mod web;
pub mod zone;
