//! Outbound web identity federation through aws-sdk-iam and aws-sdk-sts: the account's switch and issuer URL,
//! GetWebIdentityToken's decisions and claims, and the token verified the standard way by a relying party (the
//! issuer's discovery document, then its JWKS, fetched from Gatehouse's issuer endpoints), across key rotation.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::Value;

use crate::auth::{now, send_raw};
use crate::both_stores;
use crate::harness::{aws_err, Backend, TestServer};

both_stores!(the_switch_and_its_errors, tokens_verify_through_the_issuer, keys_rotate_with_overlap);

/// GETs `url` (`http://HOST:PORT/PATH`) and parses the JSON body.
async fn get_json(url: &str) -> Value {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap();
    let r = send_raw(&format!("http://{host}"), "GET", &format!("/{path}"), &[("host".into(), host.into())], b"").await;
    assert_eq!(r.status, 200, "{url}: {}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

/// Verifies `token` as a relying party would: discovery, JWKS, signature, audience, issuer.
async fn verify(token: &str, issuer: &str, audience: &str) -> Value {
    let discovery = get_json(&format!("{issuer}/.well-known/openid-configuration")).await;
    assert_eq!(discovery["issuer"], issuer);
    let jwks: JwkSet = serde_json::from_value(get_json(discovery["jwks_uri"].as_str().unwrap()).await).unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    let jwk = jwks.find(header.kid.as_deref().unwrap()).expect("the token's key is published");
    let mut v = Validation::new(header.alg);
    v.set_audience(&[audience]);
    v.set_issuer(&[issuer]);
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &v).unwrap().claims
}

async fn the_switch_and_its_errors(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let e = aws_err(iam.get_outbound_web_identity_federation_info().send().await);
    assert_eq!((e.code.as_str(), e.status), ("FeatureDisabled", 404));
    let e = aws_err(iam.disable_outbound_web_identity_federation().send().await);
    assert_eq!((e.code.as_str(), e.status), ("FeatureDisabled", 404));
    let issuer = iam.enable_outbound_web_identity_federation().send().await.unwrap().issuer_identifier.unwrap();
    assert!(issuer.starts_with(&format!("http://{}/", s.running.issuer_addr)), "{issuer}");
    let e = aws_err(iam.enable_outbound_web_identity_federation().send().await);
    assert_eq!((e.code.as_str(), e.status), ("FeatureEnabled", 409));
    let info = iam.get_outbound_web_identity_federation_info().send().await.unwrap();
    assert_eq!((info.issuer_identifier(), info.jwt_vending_enabled()), (Some(issuer.as_str()), true));

    // Tokens are refused while the feature is off; the issuer URL stays the account's.
    iam.disable_outbound_web_identity_federation().send().await.unwrap();
    let e = aws_err(
        s.sts(&s.root)
            .get_web_identity_token()
            .audience("https://api.example.com")
            .signing_algorithm("ES384")
            .send()
            .await,
    );
    assert_eq!((e.code.as_str(), e.status), ("OutboundWebIdentityFederationDisabledException", 403));
    let info = iam.get_outbound_web_identity_federation_info().send().await.unwrap();
    assert_eq!((info.issuer_identifier(), info.jwt_vending_enabled()), (Some(issuer.as_str()), false));
    iam.enable_outbound_web_identity_federation().send().await.unwrap();

    // A user needs sts:GetWebIdentityToken, and its conditions decide.
    let alice = s.user_with_key("alice").await;
    let sts = s.sts(&alice);
    let e = aws_err(
        sts.get_web_identity_token().audience("https://api.example.com").signing_algorithm("ES384").send().await,
    );
    assert_eq!(e.code, "AccessDenied");
    let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*",
        "Condition":{"ForAllValues:StringEquals":{"sts:IdentityTokenAudience":"https://api.example.com"},
                     "NumericLessThanEquals":{"sts:DurationSeconds":"300"}}}]}"#;
    iam.put_user_policy().user_name("alice").policy_name("p").policy_document(p).send().await.unwrap();
    sts.get_web_identity_token().audience("https://api.example.com").signing_algorithm("ES384").send().await.unwrap();
    let e = aws_err(
        sts.get_web_identity_token()
            .audience("https://api.example.com")
            .signing_algorithm("ES384")
            .duration_seconds(600)
            .send()
            .await,
    );
    assert_eq!(e.code, "AccessDenied");
    let e = aws_err(sts.get_web_identity_token().audience("https://elsewhere").signing_algorithm("ES384").send().await);
    assert_eq!(e.code, "AccessDenied");
    let e = aws_err(
        sts.get_web_identity_token().audience("https://api.example.com").signing_algorithm("HS256").send().await,
    );
    assert_eq!((e.code.as_str(), e.status), ("ValidationError", 400));
    s.stop().await;
}

async fn tokens_verify_through_the_issuer(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let issuer = iam.enable_outbound_web_identity_federation().send().await.unwrap().issuer_identifier.unwrap();
    let tag = aws_sdk_iam::types::Tag::builder().key("team").value("data").build().unwrap();
    iam.create_user().user_name("alice").tags(tag).send().await.unwrap();
    let key = iam.create_access_key().user_name("alice").send().await.unwrap();
    let key = key.access_key().unwrap();
    let alice = crate::harness::Creds::new(key.access_key_id(), key.secret_access_key());
    let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*"}]}"#;
    iam.put_user_policy().user_name("alice").policy_name("p").policy_document(p).send().await.unwrap();
    for alg in ["RS256", "ES384"] {
        let before = now();
        let request_tag = aws_sdk_sts::types::Tag::builder().key("job").value("42").build().unwrap();
        let out = s
            .sts(&alice)
            .get_web_identity_token()
            .audience("https://api.example.com")
            .signing_algorithm(alg)
            .duration_seconds(120)
            .tags(request_tag)
            .send()
            .await
            .unwrap();
        let token = out.web_identity_token().unwrap();
        assert!((before + 120..=before + 122).contains(&out.expiration().unwrap().secs()));
        let claims = verify(token, &issuer, "https://api.example.com").await;
        assert_eq!(jsonwebtoken::decode_header(token).unwrap().alg, alg.parse::<jsonwebtoken::Algorithm>().unwrap());
        assert_eq!(claims["sub"], "arn:aws:iam::000000000000:user/alice");
        assert_eq!(claims["aud"], "https://api.example.com");
        let aws = &claims["https://sts.amazonaws.com/"];
        assert_eq!(aws["aws_account"], "000000000000");
        assert_eq!(aws["source_region"], "eu-west-1");
        assert_eq!(aws["principal_tags"]["team"], "data");
        assert_eq!(aws["request_tags"]["job"], "42");
    }
    // Several audiences are an array; a token for another issuer's account does not verify against this one.
    let out = s
        .sts(&alice)
        .get_web_identity_token()
        .audience("a")
        .audience("b")
        .signing_algorithm("ES384")
        .send()
        .await
        .unwrap();
    let claims = verify(out.web_identity_token().unwrap(), &issuer, "b").await;
    assert_eq!(claims["aud"], serde_json::json!(["a", "b"]));

    // Fifty request tags of the longest keys and values make a payload too large to sign; ten of them do not.
    let tags = |n: usize| -> Vec<aws_sdk_sts::types::Tag> {
        (0..n)
            .map(|i| {
                let key = format!("{i:03}{}", "k".repeat(125));
                aws_sdk_sts::types::Tag::builder().key(key).value("v".repeat(256)).build().unwrap()
            })
            .collect()
    };
    let token = |tags: Vec<aws_sdk_sts::types::Tag>| {
        s.sts(&alice).get_web_identity_token().audience("a").signing_algorithm("RS256").set_tags(Some(tags)).send()
    };
    let e = aws_err(token(tags(50)).await);
    assert_eq!(
        (e.code.as_str(), e.message.as_str(), e.status),
        (
            "JWTPayloadSizeExceededException",
            "The requested token payload size exceeds the maximum allowed size. Reduce the number of request tags included in the GetWebIdentityToken API call to reduce the token payload size.",
            400
        )
    );
    token(tags(10)).await.unwrap();
    s.stop().await;
}

async fn keys_rotate_with_overlap(backend: Backend) {
    let s = TestServer::start(backend).await;
    let issuer =
        s.root_iam().enable_outbound_web_identity_federation().send().await.unwrap().issuer_identifier.unwrap();
    let mint = || async {
        let out =
            s.sts(&s.root).get_web_identity_token().audience("x").signing_algorithm("ES384").send().await.unwrap();
        out.web_identity_token().unwrap().to_string()
    };
    let kid = |t: &str| jsonwebtoken::decode_header(t).unwrap().kid.unwrap();
    let published = || async {
        let jwks = get_json(&format!("{issuer}/.well-known/jwks.json")).await;
        let kids: Vec<String> =
            jwks["keys"].as_array().unwrap().iter().filter_map(|k| k["kid"].as_str().map(str::to_string)).collect();
        kids
    };
    let first = mint().await;
    assert_eq!(kid(&mint().await), kid(&first), "one key signs until it rotates");

    // Keys made long ago, as the store would hold them after days of service (the server's clock cannot move
    // days ahead of the signing client's): one past its signing period, one past its publication.
    let (store, keyring) = s.running.state.store_and_keys_for_tests();
    let day = 86_400_000;
    let es384 = gatehouse::federation::outbound::SigningAlg::Es384;
    let rng = gatehouse::ids::OsRandom;
    let mut conn = store.pool().acquire().await.unwrap();
    let signing_ended = gatehouse::federation::outbound::new_key(
        keyring,
        &rng,
        "000000000000",
        es384,
        now() * 1000 - 7 * day - day / 2,
    )
    .unwrap();
    let expired =
        gatehouse::federation::outbound::new_key(keyring, &rng, "000000000000", es384, now() * 1000 - 9 * day).unwrap();
    sqlx::query("DELETE FROM outbound_signing_keys").execute(&mut *conn).await.unwrap();
    gatehouse::store::outbound::insert_key(&mut conn, &signing_ended).await.unwrap();
    gatehouse::store::outbound::insert_key(&mut conn, &expired).await.unwrap();
    drop(conn);
    assert_eq!(
        published().await,
        std::slice::from_ref(&signing_ended.key_id),
        "a key is published for eight days, no longer"
    );

    // The old key no longer signs: a new one does, and both are published until the old one's time is up.
    let second = mint().await;
    assert_ne!(kid(&second), signing_ended.key_id);
    let kids = published().await;
    assert!(kids.contains(&kid(&second)) && kids.contains(&signing_ended.key_id), "{kids:?}");
    verify(&second, &issuer, "x").await;
    s.stop().await;
}
