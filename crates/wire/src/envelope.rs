//! The success envelope of a Query-protocol response.

use crate::xml::XmlWriter;

/// `<OpResponse xmlns="NS"><OpResult>...</OpResult><ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata>
/// </OpResponse>`. The element names come from the operation, not from the output shape: several operations share
/// one shape (SimulateCustomPolicy and SimulatePrincipalPolicy both return `SimulatePolicyResponse`). An operation
/// without an output shape passes `None` and gets no Result element, only the metadata.
pub fn response<F: FnOnce(&mut XmlWriter)>(
    op_name: &str,
    namespace: &str,
    request_id: &str,
    result: Option<F>,
) -> String {
    let mut w = XmlWriter::with_capacity(1024);
    let mut tag = String::with_capacity(op_name.len() + 8);
    tag.push_str(op_name);
    tag.push_str("Response");
    w.open_ns(&tag, namespace);
    if let Some(write) = result {
        tag.truncate(op_name.len());
        tag.push_str("Result");
        w.open(&tag);
        write(&mut w);
        w.close(&tag);
        tag.truncate(op_name.len());
        tag.push_str("Response");
    }
    w.open("ResponseMetadata");
    w.element("RequestId", request_id);
    w.close("ResponseMetadata");
    w.close(&tag);
    w.into_string()
}

/// The envelope of an operation without an output shape.
pub fn empty_response(op_name: &str, namespace: &str, request_id: &str) -> String {
    response(op_name, namespace, request_id, None::<fn(&mut XmlWriter)>)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_and_without_result() {
        let ns = "https://iam.amazonaws.com/doc/2010-05-08/";
        assert_eq!(
            response("GetUser", ns, "id-1", Some(|w: &mut XmlWriter| w.element("X", "1"))),
            "<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetUserResult><X>1</X></GetUserResult>\
             <ResponseMetadata><RequestId>id-1</RequestId></ResponseMetadata></GetUserResponse>"
        );
        assert_eq!(
            empty_response("DeleteUser", ns, "id-2"),
            "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ResponseMetadata>\
             <RequestId>id-2</RequestId></ResponseMetadata></DeleteUserResponse>"
        );
    }
}
