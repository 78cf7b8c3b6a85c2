// The eight kinds of record, in the order the app lists them (uniffi's Swift enums are not
// CaseIterable). Labels come from the core (`kindLabel`), shared with Android.
import SotayCore

public enum RecordKinds {
    public static let all: [RecordKind] = [
        .dialogue, .mediation, .villageMeeting, .petition, .consultation, .frontSession, .supervision, .model,
    ]
}
