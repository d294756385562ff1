//! The only code that calls CANDY HOUSE: the legacy v3 API, the Web API, and one device interface over both.
