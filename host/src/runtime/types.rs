//! The shape of a component's exports, read from the component's own type information.
//!
//! The component is decoded into a WIT `Resolve` (names included), and every exported
//! function is described with [`WitType`], a small owned model that the catalog turns into
//! JSON Schema and that [`super::values`] uses to convert JSON to component values and back.
//! Nothing outside `runtime` sees a wasmtime or wit-parser type.

use super::docs::DocIndex;
use super::hints::ToolHints;
use anyhow::{Context as _, Result, bail};
use wit_parser::decoding::DecodedWasm;
use wit_parser::{Resolve, Type, TypeDefKind, WorldItem, WorldKey};

/// A WIT value type made only of plain data.
#[derive(Debug, Clone, PartialEq)]
pub enum WitType {
    Bool,
    Int(Int),
    F32,
    F64,
    Char,
    String,
    List(Box<WitType>),
    FixedList(Box<WitType>, u32),
    Map(Box<WitType>, Box<WitType>),
    Tuple(Vec<WitType>),
    Option(Box<WitType>),
    Result { ok: Option<Box<WitType>>, err: Option<Box<WitType>> },
    Record(TypeInfo, Vec<Field>),
    Variant(TypeInfo, Vec<Case>),
    Enum(TypeInfo, Vec<Named>),
    Flags(TypeInfo, Vec<Named>),
}

/// An integer width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Int {
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
}

impl Int {
    /// Inclusive bounds, as i128 so that every width fits.
    pub fn bounds(self) -> (i128, i128) {
        match self {
            Self::S8 => (i8::MIN.into(), i8::MAX.into()),
            Self::U8 => (0, u8::MAX.into()),
            Self::S16 => (i16::MIN.into(), i16::MAX.into()),
            Self::U16 => (0, u16::MAX.into()),
            Self::S32 => (i32::MIN.into(), i32::MAX.into()),
            Self::U32 => (0, u32::MAX.into()),
            Self::S64 => (i64::MIN.into(), i64::MAX.into()),
            Self::U64 => (0, u64::MAX.into()),
        }
    }
}

/// The name and doc comment of a named WIT type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TypeInfo {
    pub name: Option<String>,
    pub docs: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub ty: WitType,
    pub docs: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub name: String,
    pub ty: Option<WitType>,
    pub docs: Option<String>,
}

/// An enum case or a flag.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub name: String,
    pub docs: Option<String>,
}

/// One exported function whose parameters and result are plain data.
#[derive(Debug, Clone)]
pub struct ExportedFunc {
    /// The exported interface holding the function (`example:hello/tools@0.1.0`), or `None`
    /// for a function exported by the world itself.
    pub interface: Option<String>,
    /// The short interface name (`tools`), used to disambiguate tool names.
    pub interface_name: Option<String>,
    pub name: String,
    pub params: Vec<Param>,
    pub result: Option<WitType>,
    /// The description: the doc comment without its tag lines.
    pub docs: Option<String>,
    /// The MCP annotations the doc comment's tags give (see [`super::hints`]).
    pub hints: ToolHints,
    /// Part of a role interface the host understands: the host calls it itself and serves
    /// it through its role tools, so it is not a tool of its own.
    pub role: bool,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub ty: WitType,
}

/// An export that is not served as a tool, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub name: String,
    pub reason: String,
}

/// What a component exports and imports, as the host sees it.
#[derive(Debug, Clone, Default)]
pub struct Surface {
    pub functions: Vec<ExportedFunc>,
    pub skipped: Vec<Skipped>,
    /// Imported interfaces, by their full name (`wasi:http/outgoing-handler@0.2.6`).
    pub imports: Vec<String>,
    /// Exported interfaces, by their full name.
    pub exports: Vec<String>,
    /// Problems with the functions' doc tags (the component still loads).
    pub doc_problems: Vec<String>,
}

/// Reads the exports and imports of a component binary.
pub fn surface(bytes: &[u8], docs: &DocIndex) -> Result<Surface> {
    let decoded = wit_parser::decoding::decode(bytes).context("reading the component's types")?;
    let DecodedWasm::Component(resolve, world) = decoded else {
        bail!("this is a WIT package, not a component");
    };
    let world = &resolve.worlds[world];
    let mut out = Surface::default();

    for (key, item) in &world.imports {
        if let WorldItem::Interface { id, .. } = item {
            let name = resolve.id_of(*id).unwrap_or_else(|| resolve.name_world_key(key));
            out.imports.push(name);
        }
    }

    for (key, item) in &world.exports {
        match item {
            WorldItem::Function(func) => {
                push_func(&resolve, None, None, func, docs, &mut out);
            }
            WorldItem::Interface { id, .. } => {
                let iface = &resolve.interfaces[*id];
                let full = match key {
                    WorldKey::Interface(id) => resolve.id_of(*id),
                    WorldKey::Name(name) => Some(name.clone()),
                }
                .unwrap_or_else(|| resolve.name_world_key(key));
                out.exports.push(full.clone());
                for func in iface.functions.values() {
                    push_func(&resolve, Some(&full), iface.name.as_deref(), func, docs, &mut out);
                }
            }
            WorldItem::Type { .. } => {}
        }
    }
    Ok(out)
}

fn push_func(
    resolve: &Resolve,
    interface: Option<&str>,
    interface_name: Option<&str>,
    func: &wit_parser::Function,
    docs: &DocIndex,
    out: &mut Surface,
) {
    let described = || -> Result<(ExportedFunc, Vec<String>)> {
        if !matches!(func.kind, wit_parser::FunctionKind::Freestanding) {
            bail!("only plain functions become tools (this is a resource method or async)");
        }
        let params = func
            .params
            .iter()
            .map(|p| {
                let ty =
                    convert(resolve, &p.ty, interface_name, docs).with_context(|| format!("parameter `{}`", p.name))?;
                Ok(Param { name: p.name.clone(), ty })
            })
            .collect::<Result<Vec<_>>>()?;
        let result =
            func.result.as_ref().map(|t| convert(resolve, t, interface_name, docs).context("result")).transpose()?;
        let written = docs.function(interface_name, &func.name).or_else(|| non_empty(&func.docs));
        let (description, hints, problems) = match written {
            Some(written) => super::hints::split(&func.name, &written),
            None => (None, ToolHints::default(), Vec::new()),
        };
        Ok((
            ExportedFunc {
                interface: interface.map(str::to_owned),
                interface_name: interface_name.map(str::to_owned),
                name: func.name.clone(),
                params,
                result,
                docs: description,
                hints,
                role: interface.is_some_and(|i| crate::contracts::ROLE_INTERFACES.contains(&i)),
            },
            problems,
        ))
    };
    match described() {
        Ok((f, problems)) => {
            out.functions.push(f);
            out.doc_problems.extend(problems);
        }
        Err(e) => out.skipped.push(Skipped { name: func.name.clone(), reason: format!("{e:#}") }),
    }
}

fn non_empty(docs: &wit_parser::Docs) -> Option<String> {
    docs.contents.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn convert(resolve: &Resolve, ty: &Type, iface: Option<&str>, docs: &DocIndex) -> Result<WitType> {
    Ok(match ty {
        Type::Bool => WitType::Bool,
        Type::U8 => WitType::Int(Int::U8),
        Type::U16 => WitType::Int(Int::U16),
        Type::U32 => WitType::Int(Int::U32),
        Type::U64 => WitType::Int(Int::U64),
        Type::S8 => WitType::Int(Int::S8),
        Type::S16 => WitType::Int(Int::S16),
        Type::S32 => WitType::Int(Int::S32),
        Type::S64 => WitType::Int(Int::S64),
        Type::F32 => WitType::F32,
        Type::F64 => WitType::F64,
        Type::Char => WitType::Char,
        Type::String => WitType::String,
        Type::ErrorContext => bail!("`error-context` is not plain data"),
        Type::Id(id) => {
            let def = &resolve.types[*id];
            let name = def.name.clone();
            // Docs of a named type live in the interface that defines it.
            let owner = match def.owner {
                wit_parser::TypeOwner::Interface(i) => resolve.interfaces[i].name.as_deref(),
                _ => iface,
            };
            let info = |docs_of: &wit_parser::Docs| TypeInfo {
                docs: name.as_deref().and_then(|n| docs.ty(owner, n)).or_else(|| non_empty(docs_of)),
                name: name.clone(),
            };
            let member = |member: &str, own: &wit_parser::Docs| {
                name.as_deref().and_then(|n| docs.member(owner, n, member)).or_else(|| non_empty(own))
            };
            let conv = |t: &Type| convert(resolve, t, owner, docs);
            let boxed = |t: &Type| conv(t).map(Box::new);
            match &def.kind {
                TypeDefKind::Type(t) => conv(t)?,
                TypeDefKind::Record(r) => WitType::Record(
                    info(&def.docs),
                    r.fields
                        .iter()
                        .map(|f| {
                            Ok(Field {
                                name: f.name.clone(),
                                ty: conv(&f.ty).with_context(|| format!("field `{}`", f.name))?,
                                docs: member(&f.name, &f.docs),
                            })
                        })
                        .collect::<Result<_>>()?,
                ),
                TypeDefKind::Variant(v) => WitType::Variant(
                    info(&def.docs),
                    v.cases
                        .iter()
                        .map(|c| {
                            Ok(Case {
                                name: c.name.clone(),
                                ty: c.ty.as_ref().map(&conv).transpose()?,
                                docs: member(&c.name, &c.docs),
                            })
                        })
                        .collect::<Result<_>>()?,
                ),
                TypeDefKind::Enum(e) => WitType::Enum(
                    info(&def.docs),
                    e.cases.iter().map(|c| Named { name: c.name.clone(), docs: member(&c.name, &c.docs) }).collect(),
                ),
                TypeDefKind::Flags(f) => WitType::Flags(
                    info(&def.docs),
                    f.flags.iter().map(|c| Named { name: c.name.clone(), docs: member(&c.name, &c.docs) }).collect(),
                ),
                TypeDefKind::Tuple(t) => WitType::Tuple(t.types.iter().map(conv).collect::<Result<_>>()?),
                TypeDefKind::Option(t) => WitType::Option(boxed(t)?),
                TypeDefKind::Result(r) => WitType::Result {
                    ok: r.ok.as_ref().map(boxed).transpose()?,
                    err: r.err.as_ref().map(boxed).transpose()?,
                },
                TypeDefKind::List(t) => WitType::List(boxed(t)?),
                TypeDefKind::FixedLengthList(t, n) => WitType::FixedList(boxed(t)?, *n),
                TypeDefKind::Map(k, v) => WitType::Map(boxed(k)?, boxed(v)?),
                TypeDefKind::Resource => bail!("resource `{}` is not plain data", name.as_deref().unwrap_or("?")),
                TypeDefKind::Handle(wit_parser::Handle::Own(r) | wit_parser::Handle::Borrow(r)) => {
                    bail!("resource `{}` is not plain data", resolve.types[*r].name.as_deref().unwrap_or("?"))
                }
                TypeDefKind::Future(_) | TypeDefKind::Stream(_) => {
                    bail!("futures and streams are not plain data")
                }
                TypeDefKind::Unknown => bail!("type of unknown structure"),
            }
        }
    })
}
