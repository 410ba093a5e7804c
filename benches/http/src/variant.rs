//! The server variants: what each one runs and how it is described in the report.

/// One way of serving (and tracing) the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// No tracing.
    Plain,
    /// `ServerTraceLayer` + `#[traced]`, a recorder that counts.
    Ours,
    /// The same, recording with `YamlRecorder` to a file.
    OursYaml,
    /// The same, sending OTLP/HTTP to a loopback sink.
    OursOtlp,
    /// tower-http `TraceLayer` + `#[instrument]` + `tracing-opentelemetry`, SDK defaults.
    Otel,
    /// The same with the layer's extras off.
    OtelLean,
    /// fastrace + `fastrace-axum`, a reporter that counts.
    Fastrace,
    /// tower-http `TraceLayer` + `#[instrument]`, a registry with no recording layer.
    Registry,
}

impl Variant {
    /// Every variant, in the report's order.
    pub const ALL: [Variant; 8] = [
        Variant::Plain,
        Variant::Ours,
        Variant::OursYaml,
        Variant::OursOtlp,
        Variant::Otel,
        Variant::OtelLean,
        Variant::Fastrace,
        Variant::Registry,
    ];

    /// The name on the command line and in `HTTP_BENCH_VARIANTS`.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Plain => "plain",
            Variant::Ours => "ours",
            Variant::OursYaml => "ours_yaml",
            Variant::OursOtlp => "ours_otlp",
            Variant::Otel => "otel",
            Variant::OtelLean => "otel_lean",
            Variant::Fastrace => "fastrace",
            Variant::Registry => "registry",
        }
    }

    /// The variant called `name`.
    pub fn parse(name: &str) -> Result<Variant, crate::Error> {
        Variant::ALL
            .into_iter()
            .find(|v| v.name() == name)
            .ok_or_else(|| {
                let names: Vec<_> = Variant::ALL.iter().map(|v| v.name()).collect();
                format!("unknown variant {name:?} (one of {})", names.join(", ")).into()
            })
    }

    /// What the report calls it.
    pub fn label(self) -> &'static str {
        match self {
            Variant::Plain => "plain (no tracing)",
            Variant::Ours => "ours: `ServerTraceLayer` + `#[traced]`, counting recorder",
            Variant::OursYaml => "ours with `YamlRecorder` to a file (default config)",
            Variant::OursOtlp => "ours with `OtlpRecorder` to a loopback sink (default config)",
            Variant::Otel => {
                "tower-http `TraceLayer` + `#[instrument]` + `tracing-opentelemetry`, SDK defaults, counting exporter"
            }
            Variant::OtelLean => {
                "the same with OTel's extras off (no location, thread ids, busy/idle, request/response events)"
            }
            Variant::Fastrace => "fastrace + `fastrace-axum`, counting reporter",
            Variant::Registry => {
                "tower-http `TraceLayer` + `#[instrument]`, a registry with no recording layer"
            }
        }
    }

    /// Whether the variant records spans (so delivered spans are expected).
    pub fn records(self) -> bool {
        !matches!(self, Variant::Plain | Variant::Registry)
    }
}
