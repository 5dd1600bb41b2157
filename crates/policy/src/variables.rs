//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}` ...
//!
//! `[VARS]` reference_policies_variables: a variable is replaced by the request's value of that
//! context key; names ignore case; `${key, 'text'}` supplies a default; `${*}`, `${?}` and
//! `${$}` stand for the literal characters; with Version 2008-10-17 (or none) `${...}` is plain
//! text. A variable whose key has no single value in the request makes the value it is in
//! match nothing (an `Allow` on `.../${aws:username}` never matches a role session).
//!
//! Templates are split into tokens once, when the policy is compiled; matching then resolves
//! each variable against the request context without building a string.

/// A piece of a compiled pattern.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// Literal text (never empty).
    Text(Box<str>),
    /// `*`: any run of characters (wildcard position only).
    Star,
    /// `?`: exactly one character (wildcard position only).
    Quest,
    /// A policy variable.
    Var(VarRef),
}

/// A `${key}` or `${key, 'default'}` reference.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct VarRef {
    /// The key in lower case, for lookup.
    pub key: Box<str>,
    /// `key_hash(key)`, computed once here so lookups compare integers first.
    pub hash: u64,
    /// The key as written, for listing context keys.
    pub name: Box<str>,
    pub default: Option<Box<str>>,
}

/// How to read a template.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Syntax {
    /// `*` and `?` are wildcards (Resource, `*Like`, Arn operators) rather than literals.
    pub wildcards: bool,
    /// `${...}` is a variable (Version 2012-10-17 and an element that allows them).
    pub variables: bool,
}

/// Splits `text` into tokens. Adjacent literal text is merged into one token.
pub(crate) fn tokenize(text: &str, syntax: Syntax) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if syntax.variables && rest.starts_with("${") {
            if let Some((tok, used)) = variable(rest) {
                match tok {
                    Tok::Text(t) => lit.push_str(&t),
                    other => {
                        flush(&mut out, &mut lit);
                        out.push(other);
                    }
                }
                rest = rest.get(used..).unwrap_or("");
                continue;
            }
        }
        match c {
            '*' if syntax.wildcards => {
                flush(&mut out, &mut lit);
                // `**` means the same as `*`; one token keeps matching linear.
                if out.last() != Some(&Tok::Star) {
                    out.push(Tok::Star);
                }
            }
            '?' if syntax.wildcards => {
                flush(&mut out, &mut lit);
                out.push(Tok::Quest);
            }
            c => lit.push(c),
        }
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    flush(&mut out, &mut lit);
    out
}

fn flush(out: &mut Vec<Tok>, lit: &mut String) {
    if !lit.is_empty() {
        out.push(Tok::Text(std::mem::take(lit).into_boxed_str()));
    }
}

/// Reads `${...}` at the start of `s`; returns the token and the bytes used, or `None` when
/// the text is not a well-formed variable (it then stays literal).
fn variable(s: &str) -> Option<(Tok, usize)> {
    let body_start = 2;
    let close = s.get(body_start..)?.find('}')? + body_start;
    let body = s.get(body_start..close)?;
    let used = close + 1;
    match body {
        "*" | "?" | "$" => return Some((Tok::Text(body.into()), used)),
        _ => {}
    }
    let (name, default) = match body.split_once(',') {
        None => (body.trim(), None),
        Some((name, rest)) => {
            let rest = rest.trim();
            let quoted = rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\''))?;
            (name.trim(), Some(quoted.into()))
        }
    };
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    let key = name.to_lowercase();
    let hash = crate::context::key_hash(&key);
    Some((Tok::Var(VarRef { key: key.into(), hash, name: name.into(), default }), used))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIKE: Syntax = Syntax { wildcards: true, variables: true };

    #[test]
    fn splits_text_wildcards_and_variables() {
        let toks = tokenize("home/${aws:UserName}/*", LIKE);
        assert_eq!(toks.len(), 4);
        assert_eq!(toks[0], Tok::Text("home/".into()));
        let Tok::Var(v) = &toks[1] else { panic!() };
        assert_eq!((&*v.key, &*v.name, v.default.is_none()), ("aws:username", "aws:UserName", true));
        assert_eq!(toks[2], Tok::Text("/".into()));
        assert_eq!(toks[3], Tok::Star);
    }

    #[test]
    fn escapes_defaults_and_plain_text() {
        assert_eq!(tokenize("a${*}b${?}${$}", LIKE), vec![Tok::Text("a*b?$".into())]);
        let toks = tokenize("${aws:PrincipalTag/team, 'company-wide'}", LIKE);
        let Tok::Var(v) = &toks[0] else { panic!() };
        assert_eq!(v.default.as_deref(), Some("company-wide"));
        // Version 2008-10-17: no variables at all.
        let plain = tokenize("${aws:username}", Syntax { wildcards: true, variables: false });
        assert_eq!(plain, vec![Tok::Text("${aws:username}".into())]);
        // Not well formed: literal.
        assert_eq!(tokenize("${unclosed", LIKE), vec![Tok::Text("${unclosed".into())]);
        assert_eq!(tokenize("${}", LIKE), vec![Tok::Text("${}".into())]);
        // Equals operators: wildcards are literal characters.
        assert_eq!(tokenize("a*?", Syntax { wildcards: false, variables: true }), vec![Tok::Text("a*?".into())]);
        assert_eq!(tokenize("a**b", LIKE), vec![Tok::Text("a".into()), Tok::Star, Tok::Text("b".into())]);
    }
}
