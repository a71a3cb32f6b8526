import type { Ref } from "preact";
import { display, nextDigits } from "../logic/rrn";

/** An identity number field that masks the number as soon as it is complete. */
export function RrnInput(props: {
  digits: string;
  onDigits: (digits: string) => void;
  testid?: string;
  inputRef?: Ref<HTMLInputElement>;
}) {
  return (
    <input
      ref={props.inputRef}
      data-testid={props.testid}
      inputMode="numeric"
      autocomplete="off"
      spellcheck={false}
      placeholder="000000-0000000"
      size={16}
      value={display(props.digits)}
      onInput={(e) => {
        const digits = nextDigits(props.digits, e.currentTarget.value);
        // The field must show the masked form even when the digits did not change.
        e.currentTarget.value = display(digits);
        props.onDigits(digits);
      }}
    />
  );
}
