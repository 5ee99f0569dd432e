// Self-test of the Java sandbox: reads "ping" on stdin, prints OK.
import java.util.Scanner;

public class SelfTest {
  public static void main (String[] args) {
    Scanner in = new Scanner(System.in);
    System.out.println("ping".equals(in.next()) ? "OK" : "NO");
  }
}
